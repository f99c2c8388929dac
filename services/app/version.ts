import denoJson from "../../deno.json" with { type: "json" };

/** This app's version, from deno.json: printed by the CLI, written into provenance documents. */
export const VERSION: string = denoJson.version;
