/** Reads a text/event-stream response as it arrives. */
export interface SseMessage {
  event?: string;
  data: string;
  id?: string;
}

export class SseReader {
  readonly comments: string[] = [];
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** Reads messages until `done` returns true for one of them; returns all read. */
  async until(done: (message: SseMessage) => boolean, timeoutMs = 10_000): Promise<SseMessage[]> {
    const seen: SseMessage[] = [];
    const deadline = AbortSignal.timeout(timeoutMs);
    while (!deadline.aborted) {
      const message = await this.#next(deadline);
      if (!message) break;
      seen.push(message);
      if (done(message)) return seen;
    }
    throw new Error(`stream ended or timed out after ${seen.length} messages`);
  }

  async #next(deadline: AbortSignal): Promise<SseMessage | null> {
    while (true) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const message: SseMessage = { data: "" };
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
          else if (line.startsWith("event:")) message.event = line.slice(6).trim();
          else if (line.startsWith("id:")) message.id = line.slice(3).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (!data.length) continue;
        message.data = data.join("\n");
        return message;
      }
      const chunk = await Promise.race([
        this.#reader.read(),
        new Promise<never>((_, reject) =>
          deadline.addEventListener("abort", () => reject(new Error("timed out")), { once: true })
        ),
      ]);
      if (chunk.done) return null;
      this.#buffer += chunk.value.replaceAll("\r\n", "\n");
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel();
  }
}
