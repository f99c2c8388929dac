import { StreamableHTTPTransport } from "@hono/mcp";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { userForToken } from "../services/auth.ts";
import { createMcpServer } from "../services/mcp_tools.ts";
import type { AppDeps, AppEnv } from "./env.ts";

/**
 * `POST /mcp`: the Model Context Protocol over Streamable HTTP, for AI agents. Stateless: every
 * request gets a fresh server whose tools act only as the bearer token's user.
 */
export function mcpRoutes(deps: AppDeps) {
  const bearer = createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? "";
    const user = userForToken(deps.auth, token, "api");
    if (!user) {
      // Answered here, not by the app's error handler: that one sends people to the login page.
      c.header("WWW-Authenticate", 'Bearer realm="sora-studio"');
      return c.json({
        error: {
          code: "unauthorized",
          message: "Send a valid API token as 'Authorization: Bearer <token>'.",
        },
      }, 401);
    }
    c.set("user", user);
    c.set("token", token);
    await next();
  });

  return new Hono<AppEnv>()
    .use(bearer)
    .post("/", async (c) => {
      const server = createMcpServer(deps.videos, c.var.user, deps.log);
      const transport = new StreamableHTTPTransport();
      await server.connect(transport);
      return await transport.handleRequest(c) ?? c.body(null, 202);
    })
    // Stateless: there is no session to stream to (GET) or end (DELETE); the spec allows 405.
    .on(["GET", "DELETE"], "/", (c) => {
      c.header("Allow", "POST");
      return c.json({
        jsonrpc: "2.0",
        error: { code: -32000, message: "Method not allowed: this server is stateless; POST." },
        id: null,
      }, 405);
    });
}
