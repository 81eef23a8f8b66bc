/** GET /api/health: 200 {"status":"ok"} once the server is ready to serve, 503 before and while stopping. */
import type { FastifyInstance } from "fastify";
import { problem, sendProblem } from "./problem";

export function registerHealthRoute(app: FastifyInstance, isReady: () => boolean): void {
  app.get("/api/health", { config: { isPublic: true } }, (_request, reply) => {
    if (!isReady()) return sendProblem(reply.header("retry-after", "1"), problem(503, "Revline is starting or stopping."));
    return reply.header("cache-control", "no-store").send({ status: "ok" });
  });
}
