import type pg from "pg";
import { VideoEvents } from "./events.ts";
import { errorFields, type Logger } from "../app/log.ts";
import type { Video } from "../types.ts";
import type { PostgresClient } from "../stores/sql/postgres_client.ts";

const CHANNEL = "sora_video_changes";

/**
 * Video changes across instances: a change is announced with PostgreSQL's NOTIFY carrying only
 * ids (payloads are small and every listener re-reads the row, so nothing private travels twice),
 * and every instance — this one included — delivers the re-read video to its own subscribers.
 * A dropped listening connection is opened again; streams meanwhile catch up by Last-Event-ID.
 */
export class PostgresVideoEvents extends VideoEvents {
  #listener: pg.Client | undefined;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly client: PostgresClient,
    readonly load: (videoId: string) => Promise<Video | undefined>,
    readonly logger: Logger,
  ) {
    super(logger);
  }

  /** Starts listening; resolves once notifications flow. */
  async start(): Promise<void> {
    const listener = await this.client.dedicated();
    listener.on("notification", (message) => {
      if (message.channel === CHANNEL && message.payload) this.#deliver(message.payload);
    });
    listener.on("error", (error) => this.#reconnect(error));
    listener.on("end", () => this.#reconnect());
    await listener.query(`LISTEN ${CHANNEL}`);
    this.#listener = listener;
  }

  override publish(userId: number, video: Video): void {
    const payload = JSON.stringify({ u: userId, v: video.id });
    this.client.run("SELECT pg_notify(?, ?)", CHANNEL, payload).catch((error) =>
      this.logger.error("live update could not be announced", {
        video: video.id,
        ...errorFields(error),
      })
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => {});
  }

  #deliver(payload: string): void {
    let parsed: { u: number; v: string };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    if (this.subscribersOf(parsed.u) === 0) return;
    this.load(parsed.v).then(
      (video) => video && super.publish(parsed.u, video),
      (error) => this.logger.error("live update could not be read", errorFields(error)),
    );
  }

  #reconnect(error?: unknown): void {
    if (this.#closed || this.#retry !== undefined) return;
    this.logger.warn("live updates connection lost; reconnecting", errorFields(error));
    this.#listener = undefined;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.start().catch((failure) => this.#reconnect(failure));
    }, 1000);
  }
}
