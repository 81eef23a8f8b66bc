/**
 * platform/jobs: durable work. Record events are appended to outbox_event by records inside each
 * write's transaction (records/journal.ts); the worker, queue and schedules come with issue 4.
 */
export { appendEvents } from "../records";
export type { OutboxEventInput, RecordEventType } from "../records";
