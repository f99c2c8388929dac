/**
 * The contract's defaults for a create that names no model (a Sora model); a server without it
 * defaults to its first offered model. Everything else about models is in the catalog
 * (`catalog.ts`), built from the configured providers.
 */
export const DEFAULT_MODEL = "sora-2";
export const DEFAULT_SIZE = "720x1280";
export const DEFAULT_SECONDS = "4";
