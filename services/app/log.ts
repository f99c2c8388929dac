/**
 * One logger for the whole app: a line per event, as readable text or as JSON (LOG_FORMAT=json)
 * for log collectors, filtered by level. Callers pass fields, never whole objects, so nothing
 * secret (keys, tokens, passwords, prompts' files) can slip in by accident.
 */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: "text" | "json";
  /** Where lines go; tests collect them. */
  write?: (line: string, level: LogLevel) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level ?? "info");
  const format = options.format ?? "text";
  const now = options.now ?? (() => new Date());
  const write = options.write ??
    ((line: string, level: LogLevel) => (level === "error" ? console.error : console.log)(line));
  const emit = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const time = now().toISOString();
    const present = Object.entries(fields).filter(([, v]) => v !== undefined);
    const line = format === "json"
      ? JSON.stringify({ time, level, msg: message, ...Object.fromEntries(present) })
      : [
        time,
        level.toUpperCase().padEnd(5),
        message,
        ...present.map(([k, v]) => `${k}=${text(v)}`),
      ]
        .join(" ");
    write(line, level);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** Values with spaces are quoted so a text line still splits into fields. */
function text(value: unknown): string {
  const s = String(value);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

/** Turns a caught error into loggable fields: its name and message, and the stack at debug level. */
export function errorFields(error: unknown): LogFields {
  if (error instanceof Error) return { error: `${error.name}: ${error.message}` };
  return { error: String(error) };
}

export const silentLogger: Logger = createLogger({ write: () => {} });
