import { invalidRequest } from "./responses.ts";

/** Body fields of a POST, whichever encoding the client chose. */
export type BodyFields = Record<string, unknown>;

/**
 * Reads a JSON, multipart or urlencoded body. The SDK sends `videos.create` as
 * multipart (always, even without a file) and `videos.remix` as JSON, so both must work.
 * Answers a 400 Response when the body cannot be parsed.
 */
export async function readBodyFields(req: Request): Promise<BodyFields | Response> {
  const contentType = req.headers.get("content-type")?.toLowerCase() ?? "";
  try {
    if (
      contentType.startsWith("multipart/form-data") ||
      contentType.startsWith("application/x-www-form-urlencoded")
    ) {
      const form = await req.formData();
      const fields: BodyFields = {};
      for (const [key, value] of form) fields[key] = value;
      return fields;
    }
    const text = await req.text();
    if (text.trim() === "") return {};
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return invalidRequest("The request body must be a JSON object.", null, "invalid_json");
    }
    return parsed as BodyFields;
  } catch {
    return invalidRequest(
      "We could not parse the body of your request. Send JSON or multipart/form-data.",
      null,
      "invalid_body",
    );
  }
}
