import { describe, expect, it } from "vitest";
import { conflict, invalid, notFound, unauthorized, AppError } from "@revline/core";
import { toProblem } from "./problem";

describe("toProblem", () => {
  it.each([
    [invalid("Bad.", [{ field: "name", reason: "is required", code: "required" }]), 400, "Bad Request"],
    [unauthorized("Sign in."), 401, "Unauthorized"],
    [new AppError("forbidden", "No."), 403, "Forbidden"],
    [notFound("Gone."), 404, "Not Found"],
    [conflict("Stale."), 409, "Conflict"],
    [new AppError("too_large", "Too big."), 413, "Payload Too Large"],
    [new AppError("rate_limited", "Slow down."), 429, "Too Many Requests"],
  ])("maps %s to %i", (err, status, title) => {
    const { problem, unexpected } = toProblem(err);
    expect(problem).toMatchObject({ type: "about:blank", status, title, detail: err.message });
    expect(unexpected).toBe(false);
  });

  it("keeps field details, with row numbers when given", () => {
    const { problem } = toProblem(invalid("Bad rows.", [{ field: "amount", reason: "not a number", row: 3, value: "x" }]));
    expect(problem.errors).toEqual([{ field: "amount", reason: "not a number", row: 3 }]);
  });

  it("answers a bare 500 for anything unexpected, leaking nothing", () => {
    const err = new Error('relation "obj_secret" does not exist at /srv/app/secret.ts:12 password=hunter2');
    const { problem, unexpected } = toProblem(err);
    expect(unexpected).toBe(true);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/obj_secret|hunter2|secret\.ts/);
    expect(toProblem("a thrown string").problem.status).toBe(500);
    expect(toProblem(null).problem.status).toBe(500);
    // A non-Fastify error that merely carries a 4xx statusCode is still a bug, not a client error.
    expect(toProblem(Object.assign(new Error("x"), { statusCode: 400 })).problem.status).toBe(500);
  });

  it("maps Fastify's validation errors field by field", () => {
    const err = Object.assign(new Error("body/email must be string"), {
      validation: [
        { instancePath: "/email", keyword: "type", message: "must be string", params: {} },
        { instancePath: "", keyword: "required", message: "must have required property 'password'", params: { missingProperty: "password" } },
        { instancePath: "", keyword: "additionalProperties", message: "must NOT have additional properties", params: { additionalProperty: "admin" } },
      ],
      validationContext: "body",
    });
    const { problem } = toProblem(err);
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((e) => [e.field, e.code])).toEqual([
      ["email", "type"],
      ["password", "required"],
      ["admin", "additionalProperties"],
    ]);
  });

  it("maps Fastify's body errors", () => {
    expect(toProblem(Object.assign(new Error("too large"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 })).problem.status).toBe(413);
    expect(toProblem(Object.assign(new Error("bad json"), { code: "FST_ERR_CTP_INVALID_JSON_BODY", statusCode: 400 })).problem.detail).toBe(
      "The request body is not valid JSON.",
    );
    expect(toProblem(Object.assign(new Error("unsupported"), { code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", statusCode: 415 })).problem.status).toBe(415);
  });
});
