import { type Context, Hono } from "hono";
import { z } from "zod";
import { createApiToken, listApiTokens, revokeApiToken } from "../../services/auth/api_tokens.ts";
import { AppError } from "../../services/errors.ts";
import { AccountTokensPage } from "../../views/pages/account_tokens.tsx";
import { requireSession } from "../http/authenticate.ts";
import type { AppDeps, AppEnv } from "../http/env.ts";
import { validate } from "../http/validation.ts";

const tokenForm = z.object({ name: z.string().max(200).default("") });

/** The address the snippets name: PUBLIC_URL when set, else the one the browser used. */
function baseUrl(deps: AppDeps, c: Context<AppEnv>): string {
  return deps.config.PUBLIC_URL ?? new URL(c.req.url).origin;
}

/** `/account/tokens`: plain forms (POST then redirect), except a new token, shown once. */
export function accountTokenRoutes(deps: AppDeps) {
  const demo = deps.config.simulate;
  const page = async (
    c: Context<AppEnv>,
    extra: Partial<Parameters<typeof AccountTokensPage>[0]> = {},
  ) => (
    <AccountTokensPage
      user={c.var.user}
      demo={demo}
      baseUrl={baseUrl(deps, c)}
      tokens={await listApiTokens(deps.auth, c.var.user.id)}
      {...extra}
    />
  );

  return new Hono<AppEnv>()
    .use(requireSession(deps))
    .get("/", async (c) => c.html(await page(c, { revoked: c.req.query("revoked") === "1" })))
    .post("/", validate("form", tokenForm), async (c) => {
      const { name } = c.req.valid("form");
      try {
        const made = await createApiToken(deps.auth, c.var.user.id, name);
        // The token is in this page only: rendered, not redirected to (no URL may carry it).
        c.header("Cache-Control", "no-store");
        return c.html(await page(c, { made }));
      } catch (error) {
        // No name or a bad one (400), too many tokens (409): the form again, saying why.
        if (!(error instanceof AppError) || ![400, 409].includes(error.status)) throw error;
        return c.html(await page(c, { error: error.message, name }), error.status);
      }
    })
    .post("/:id/revoke", async (c) => {
      await revokeApiToken(deps.auth, c.var.user.id, c.req.param("id"));
      return c.redirect("/account/tokens?revoked=1", 303);
    });
}
