import { AwsClient } from "aws4fetch";

/** Where a bucket is and how to sign for it. */
export interface S3Options {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** An S3-compatible endpoint (path-style addressing); unset = AWS (virtual-hosted). */
  endpoint?: string;
  fetch?: typeof fetch;
}

/** What S3 said when it refused a request: its status and error code, for the log and the page. */
export class S3Error extends Error {
  constructor(readonly status: number, readonly code: string, operation: string) {
    super(`S3 ${operation} failed: ${status} ${code}`);
  }
}

/** Objects larger than this are uploaded in parts of this size (S3's minimum part is 5 MiB). */
export const PART_BYTES = 8 * 1024 * 1024;

/**
 * The few S3 operations the media store needs, signed with SigV4 (aws4fetch) over plain fetch.
 * Bodies are sent as bytes so their hash is signed too: a part is at most PART_BYTES in memory.
 */
export class S3Client {
  readonly #aws: AwsClient;
  readonly #base: string;

  constructor(readonly options: S3Options) {
    this.#aws = new AwsClient({
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      region: options.region,
      service: "s3",
    });
    const bucket = encodeURIComponent(options.bucket);
    this.#base = options.endpoint
      ? `${options.endpoint.replace(/\/+$/, "")}/${bucket}`
      : `https://${bucket}.s3.${options.region}.amazonaws.com`;
  }

  url(key: string, query = ""): string {
    const path = key.split("/").map(encodeURIComponent).join("/");
    return `${this.#base}/${path}${query ? `?${query}` : ""}`;
  }

  async #send(operation: string, url: string, init: RequestInit, ok: number[] = [200]) {
    const signed = await this.#aws.sign(url, init);
    const response = await (this.options.fetch ?? fetch)(signed);
    if (!ok.includes(response.status)) {
      const text = await response.text().catch(() => "");
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? response.statusText;
      throw new S3Error(response.status, code, operation);
    }
    return response;
  }

  async putObject(key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
    const headers: Record<string, string> = {};
    if (contentType) headers["Content-Type"] = contentType;
    const response = await this.#send("put", this.url(key), {
      method: "PUT",
      body: bytes as Uint8Array<ArrayBuffer>,
      headers,
    });
    await response.body?.cancel();
  }

  /**
   * Streams `body` into one object: small ones in one PUT, larger ones as a multipart upload
   * (aborted on any failure, so no half object is ever visible). Returns the bytes written.
   */
  async putStream(
    key: string,
    body: ReadableStream<Uint8Array>,
    contentType?: string,
  ): Promise<number> {
    const parts = chunked(body, PART_BYTES);
    const first = await parts.next();
    const firstBytes = first.done ? new Uint8Array() : first.value;
    if (firstBytes.length < PART_BYTES) {
      await this.putObject(key, firstBytes, contentType);
      return firstBytes.length;
    }
    const uploadId = await this.#startMultipart(key, contentType);
    try {
      const etags: string[] = [await this.#uploadPart(key, uploadId, 1, firstBytes)];
      let total = firstBytes.length;
      for await (const part of parts) {
        etags.push(await this.#uploadPart(key, uploadId, etags.length + 1, part));
        total += part.length;
      }
      await this.#completeMultipart(key, uploadId, etags);
      return total;
    } catch (error) {
      await this.#send("abort", this.url(key, `uploadId=${encodeURIComponent(uploadId)}`), {
        method: "DELETE",
      }, [204, 200, 404]).then((r) => r.body?.cancel()).catch(() => {});
      throw error;
    }
  }

  /** The object (or a byte range of it), or null when there is none. */
  async getObject(key: string, range?: [number, number]): Promise<Response | null> {
    const headers: Record<string, string> = {};
    if (range) headers.Range = `bytes=${range[0]}-${range[1]}`;
    const response = await this.#send("get", this.url(key), { headers }, [200, 206, 404]);
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    return response;
  }

  async headObject(key: string): Promise<{ size: number; etag: string } | null> {
    const response = await this.#send("head", this.url(key), { method: "HEAD" }, [200, 404]);
    await response.body?.cancel();
    if (response.status === 404) return null;
    return {
      size: Number(response.headers.get("content-length") ?? 0),
      etag: response.headers.get("etag") ?? "",
    };
  }

  async deleteObject(key: string): Promise<void> {
    const response = await this.#send("delete", this.url(key), { method: "DELETE" }, [
      200,
      204,
      404,
    ]);
    await response.body?.cancel();
  }

  /** Every key under `prefix` (ListObjectsV2, page by page). */
  async listKeys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({ "list-type": "2", prefix });
      if (token) query.set("continuation-token", token);
      const response = await this.#send("list", `${this.#base}/?${query}`, {});
      const xml = await response.text();
      for (const match of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(match[1]));
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml)
        ? unescapeXml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1] ?? "")
        : undefined;
    } while (token);
    return keys;
  }

  /** Creates the bucket when it does not exist yet (demo and test setups); 409 means it does. */
  async ensureBucket(): Promise<void> {
    const response = await this.#send("create bucket", `${this.#base}/`, { method: "PUT" }, [
      200,
      409,
    ]);
    await response.body?.cancel();
  }

  async #startMultipart(key: string, contentType?: string): Promise<string> {
    const headers: Record<string, string> = {};
    if (contentType) headers["Content-Type"] = contentType;
    const response = await this.#send("start upload", this.url(key, "uploads="), {
      method: "POST",
      headers,
    });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(await response.text())?.[1];
    if (!id) throw new S3Error(response.status, "NoUploadId", "start upload");
    return unescapeXml(id);
  }

  async #uploadPart(key: string, uploadId: string, n: number, bytes: Uint8Array) {
    const query = `partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`;
    const response = await this.#send("upload part", this.url(key, query), {
      method: "PUT",
      body: bytes as Uint8Array<ArrayBuffer>,
    });
    await response.body?.cancel();
    return response.headers.get("etag") ?? "";
  }

  async #completeMultipart(key: string, uploadId: string, etags: string[]) {
    const body = `<CompleteMultipartUpload>${
      etags.map((etag, i) =>
        `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`
      ).join("")
    }</CompleteMultipartUpload>`;
    const response = await this.#send(
      "complete upload",
      this.url(key, `uploadId=${encodeURIComponent(uploadId)}`),
      { method: "POST", body: new TextEncoder().encode(body) },
    );
    // S3 may answer 200 and still report an error in the body.
    const text = await response.text();
    if (/<Error>/.test(text)) {
      throw new S3Error(500, /<Code>([^<]+)</.exec(text)?.[1] ?? "Error", "complete upload");
    }
  }
}

/** Re-cuts a byte stream into chunks of exactly `size` bytes (the last may be shorter). */
async function* chunked(body: ReadableStream<Uint8Array>, size: number) {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of body) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - filled, chunk.length - offset);
      buffer.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.subarray(0, filled);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

function unescapeXml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(
    /&amp;/g,
    "&",
  );
}
