import { COMMON_PASSWORDS } from "./common_passwords.ts";
import { invalid } from "../errors.ts";

/** Length beats every other rule against guessing; 12 still fits a short passphrase. */
export const MIN_PASSWORD_LENGTH = 12;
/** Bounds the work one scrypt call is given. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Usernames shorter than this are found inside too many good passwords to refuse them. */
const MIN_NAME_TO_SEARCH = 4;
const MIN_DISTINCT_CHARACTERS = 5;

/** Digits, punctuation and spaces people pad a weak word with ("Password2024!"). */
const PADDING = /^[\d\W_]+|[\d\W_]+$/g;

/**
 * Why this password may not be set for this user, in plain words, or null when it may. The same
 * rules hold wherever a password is set: admin add and reset, the CLI, the first admin, and a
 * user changing their own.
 */
export function passwordProblem(password: string, username: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Use at least ${MIN_PASSWORD_LENGTH} characters (a few words make a good one).`;
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  }
  const lower = password.toLowerCase();
  const name = username.toLowerCase();
  if (name && (lower === name || (name.length >= MIN_NAME_TO_SEARCH && lower.includes(name)))) {
    return "The password must not contain the username.";
  }
  if (isCommon(lower)) {
    return "This password is on the list of the most common ones, which are guessed first. " +
      "Choose another.";
  }
  if (new Set(lower).size < MIN_DISTINCT_CHARACTERS) {
    return `Use at least ${MIN_DISTINCT_CHARACTERS} different characters.`;
  }
  return null;
}

/** Throws a 400 naming the `password` field when the password may not be set. */
export function checkPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw invalid({ password: problem }, "The password is too weak.");
}

function isCommon(lower: string): boolean {
  if (COMMON_PASSWORDS.has(lower)) return true;
  const stem = lower.replace(PADDING, "");
  return stem !== "" && COMMON_PASSWORDS.has(stem);
}
