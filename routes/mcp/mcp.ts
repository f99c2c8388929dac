import { Hono } from "hono";
import { requireBearer } from "../http/authenticate.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";

/**
 * The MCP SDK is large and only agents use it: it is loaded on the first `/mcp` request, not at
 * start, which keeps an idle server smaller. `deno compile` still embeds it (static specifiers).
 */
let modules: Promise<[typeof import("./tools.ts"), typeof import("@hono/mcp")]>;
async function mcpModules() {
  modules ??= Promise.all([import("./tools.ts"), import("@hono/mcp")]);
  const [tools, transport] = await modules;
  return {
    createMcpServer: tools.createMcpServer,
    StreamableHTTPTransport: transport.StreamableHTTPTransport,
  };
}

/**
 * `POST /mcp`: the Model Context Protocol over Streamable HTTP, for AI agents. Stateless: every
 * request gets a fresh server whose tools act only as the bearer token's user.
 */
export function mcpRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireBearer(deps))
    .post("/", async (c) => {
      const { createMcpServer, StreamableHTTPTransport } = await mcpModules();
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
