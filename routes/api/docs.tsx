import { Hono } from "hono";
import { etag } from "hono/etag";
import { ApiDocsPage } from "../../views/pages/api_docs.tsx";
import type { AppDeps } from "../http/env.ts";
import { openApiDocument } from "./openapi.ts";

/**
 * `/api/openapi.json` and `/api/docs`: the API's description, the same for everyone, so no token
 * is asked. It changes only with a new version of the app: a cache may keep it but must ask again
 * (`no-cache`), and the ETag makes asking again cheap.
 */
export function apiDocRoutes(deps: AppDeps) {
  return new Hono()
    .get("/openapi.json", etag(), (c) => {
      c.header("Cache-Control", "no-cache");
      return c.json(openApiDocument());
    })
    .get("/docs", etag(), (c) => {
      c.header("Cache-Control", "no-cache");
      const base = (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, "");
      return c.html(
        <ApiDocsPage document={openApiDocument()} base={base} demo={deps.config.simulate} />,
      );
    });
}
