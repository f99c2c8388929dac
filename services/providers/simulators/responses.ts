/** Body of every error the simulator answers, matching OpenAI's wire shape. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}

export interface ErrorInit {
  message: string;
  type?: string;
  param?: string | null;
  code?: string | null;
  headers?: HeadersInit;
}

/** Builds an error response shaped like OpenAI's so the SDK maps it to its APIError classes. */
export function errorResponse(status: number, init: ErrorInit): Response {
  const body: OpenAIErrorBody = {
    error: {
      message: init.message,
      type: init.type ?? "invalid_request_error",
      param: init.param ?? null,
      code: init.code ?? null,
    },
  };
  return jsonResponse(body, status, init.headers);
}

/** A 400 for a bad request parameter: the SDK surfaces `param` on BadRequestError. */
export function invalidRequest(message: string, param: string | null, code: string): Response {
  return errorResponse(400, { message, param, code });
}

export function notFound(message: string, code: string | null = null): Response {
  return errorResponse(404, { message, code });
}

/** A JSON answer, `application/json` unless `headers` name another content type. */
export function jsonResponse(body: unknown, status = 200, headers?: HeadersInit): Response {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const h = new Headers(headers);
  if (!h.has("content-type")) h.set("content-type", "application/json");
  // An explicit length lets clients (and the truncate fault) know how much to expect.
  h.set("content-length", String(bytes.byteLength));
  return new Response(bytes, { status, headers: h });
}
