/**
 * Text fields take printable text, tab and line breaks, nothing else: a NUL byte was stored whole
 * but read back cut short, and other control characters can hide text from a person reading it.
 */

// C0 controls except tab (09), newline (0A) and a carriage return that starts a "\r\n"; DEL and C1.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|\r(?!\n)/;

/** The first control character the text may not hold, as `U+0000`, or undefined when it has none. */
export function forbiddenControl(text: string): string | undefined {
  const match = FORBIDDEN.exec(text);
  if (!match) return undefined;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** The refusal for a field holding one, naming the field and the character. */
export function controlMessage(field: string, character: string): string {
  return `The ${
    field.replaceAll("_", " ")
  } contains a control character (${character}); only text, tabs and line ` +
    "breaks are allowed.";
}

/**
 * Secrets are compared, never shown: a control character in one harms no reader, and refusing it
 * at login would lock out the account that has it.
 */
const SECRET_FIELD = /password|secret|token/i;

/**
 * Field → refusal for every string in a parsed input (objects and arrays walked), the field named
 * by its path as the other validation errors name it ("prompt", "items.0.title").
 */
export function controlCharacterFields(
  value: unknown,
  path: readonly string[] = [],
): Record<string, string> {
  const fields: Record<string, string> = {};
  const walk = (v: unknown, at: readonly string[]) => {
    if (typeof v === "string") {
      const name = at.length ? at.join(".") : "body";
      if (at.some((key) => SECRET_FIELD.test(key))) return;
      const character = forbiddenControl(v);
      if (character) fields[name] ??= controlMessage(name, character);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => walk(item, [...at, String(i)]));
    } else if (v && typeof v === "object" && !(v instanceof Blob)) {
      for (const [key, item] of Object.entries(v)) walk(item, [...at, key]);
    }
  };
  walk(value, path);
  return fields;
}
