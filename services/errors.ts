/** Typed errors the services throw; one handler in main.ts maps them to HTTP answers. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what = "Video") => new AppError(404, "not_found", `${what} not found.`);

export const invalid = (fields: Record<string, string>, message = "Some fields are not valid.") =>
  new AppError(400, "invalid_request", message, fields);

export const conflict = (message: string) => new AppError(409, "conflict", message);

export const unauthorized = (message = "Log in first.") =>
  new AppError(401, "unauthorized", message);
