import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import type { Logger } from "../../services/app/log.ts";

/**
 * A request id on every response (X-Request-Id, also accepted from a proxy) and one log line per
 * request. The query string is left out: it can carry search text, which is the user's business.
 */
export function requestLogging(log: Logger) {
  const id = requestId({ limitLength: 64 });
  const line = createMiddleware<{ Variables: { requestId: string } }>(async (c, next) => {
    const started = performance.now();
    await next();
    const status = c.res.status;
    // A 502/503 is the app reporting upstream trouble, not failing itself.
    const level = status === 500 ? "error" : status >= 500 ? "warn" : "info";
    log[level]("request", {
      id: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  });
  return [id, line] as const;
}
