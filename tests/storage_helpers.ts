import { PostgresClient } from "../services/stores/sql/postgres_client.ts";
import { S3Client } from "../services/stores/media/s3_client.ts";

/**
 * The storage tests run on SQLite and a folder always, and also on PostgreSQL and an S3 server
 * when CI (.ci/run) has started them: TEST_DATABASE_URL names a server where throwaway databases
 * may be made; TEST_AWS_* an S3 endpoint that checks signatures (Swift's s3api).
 */
export const POSTGRES_URL = Deno.env.get("TEST_DATABASE_URL");
export const S3_ENDPOINT = Deno.env.get("TEST_AWS_ENDPOINT_URL_S3");

export const s3Credentials = {
  AWS_ENDPOINT_URL_S3: S3_ENDPOINT ?? "",
  AWS_REGION: Deno.env.get("TEST_AWS_REGION") ?? "us-east-1",
  AWS_ACCESS_KEY_ID: Deno.env.get("TEST_AWS_ACCESS_KEY_ID") ?? "",
  AWS_SECRET_ACCESS_KEY: Deno.env.get("TEST_AWS_SECRET_ACCESS_KEY") ?? "",
};

const suffix = () => crypto.randomUUID().replaceAll("-", "").slice(0, 12);

/** A new, empty PostgreSQL database; dropped (with its connections) when disposed. */
export async function freshPostgres(): Promise<{ url: string } & AsyncDisposable> {
  if (!POSTGRES_URL) throw new Error("TEST_DATABASE_URL is not set");
  const name = `sora_test_${suffix()}`;
  const admin = new PostgresClient(POSTGRES_URL, 1);
  await admin.run(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async [Symbol.asyncDispose]() {
      await admin.run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.close();
    },
  };
}

/** A new bucket on the test S3 server; emptied and forgotten when disposed. */
export async function freshBucket(): Promise<{ bucket: string; s3: S3Client } & AsyncDisposable> {
  if (!S3_ENDPOINT) throw new Error("TEST_AWS_ENDPOINT_URL_S3 is not set");
  const bucket = `sora-test-${suffix()}`;
  const s3 = new S3Client({
    bucket,
    region: s3Credentials.AWS_REGION,
    accessKeyId: s3Credentials.AWS_ACCESS_KEY_ID,
    secretAccessKey: s3Credentials.AWS_SECRET_ACCESS_KEY,
    endpoint: S3_ENDPOINT,
  });
  await s3.ensureBucket();
  return {
    bucket,
    s3,
    async [Symbol.asyncDispose]() {
      for (const key of await s3.listKeys("").catch(() => [])) await s3.deleteObject(key);
    },
  };
}
