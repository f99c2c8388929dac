import { join } from "node:path";
import type { Config } from "../app/config.ts";
import { FolderStore } from "./media/folder_store.ts";
import type { MediaStore } from "./media/media_store.ts";
import { S3Client } from "./media/s3_client.ts";
import { S3Store } from "./media/s3_store.ts";

/**
 * The media store the configuration names: the S3 bucket when S3_BUCKET is set, else DATA_DIR.
 * With a bucket, DATA_DIR holds only scratch files (a download being checked, a frame being cut).
 */
export function openMediaStore(config: Config, fetcher?: typeof fetch): MediaStore {
  if (!config.S3_BUCKET) return new FolderStore(config.DATA_DIR);
  const s3 = new S3Client({
    bucket: config.S3_BUCKET,
    region: config.AWS_REGION,
    accessKeyId: config.AWS_ACCESS_KEY_ID!,
    secretAccessKey: config.AWS_SECRET_ACCESS_KEY!,
    endpoint: config.AWS_ENDPOINT_URL_S3,
    fetch: fetcher,
  });
  return new S3Store(s3, scratchDir(config.DATA_DIR));
}

/** Where files are made before they are stored: inside DATA_DIR, so a rename can finish them. */
export function scratchDir(dataDir: string): string {
  return join(dataDir, "scratch");
}
