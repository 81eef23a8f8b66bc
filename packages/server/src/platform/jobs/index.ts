/** platform/jobs: the outbox of record events (worker, queue and schedules come with issue 4). */
export { appendEvents } from "./outbox";
export type { OutboxEventInput, RecordEventType } from "./outbox";
