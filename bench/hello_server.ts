// The ceiling for start-up and idle memory: a bare Hono app on Deno.serve, started like the app.
import { Hono } from "hono";

const app = new Hono().get("/", (c) => c.text("hello"));
Deno.serve({ port: Number(Deno.env.get("PORT") ?? 8000), hostname: "127.0.0.1" }, app.fetch);
