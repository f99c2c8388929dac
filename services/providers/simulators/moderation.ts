// A stand-in for OpenAI's moderation: deterministic and keyword based, so demos and
// tests can trigger a `failed` job on purpose.

/** Whole words (case-insensitive) that get a prompt blocked. */
export const BLOCKED_WORDS: readonly string[] = ["violence", "gore"];

/** Literal marker (case-insensitive) that fails a job without writing an alarming prompt. */
export const FAIL_MARKER = "[fail]";

export const MODERATION_ERROR = {
  code: "moderation_blocked",
  message: "Your request was blocked by our moderation system.",
} as const;

const blockedWordPattern = new RegExp(`\\b(?:${BLOCKED_WORDS.join("|")})\\b`, "i");

export function isBlockedPrompt(prompt: string): boolean {
  return blockedWordPattern.test(prompt) || prompt.toLowerCase().includes(FAIL_MARKER);
}
