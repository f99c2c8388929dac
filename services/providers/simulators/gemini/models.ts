// The Gemini Omni models the simulator serves and their documented limits (its own table, as
// Google's is its own: the app's catalog is checked against it, not copied from it).

export interface OmniLimits {
  displayName: string;
  resolutions: readonly string[];
  minSeconds: number;
  maxSeconds: number;
  /** Whether the model extends a video it made. */
  extends: boolean;
}

const ALL_RESOLUTIONS = ["360p", "720p", "1080p", "4k"] as const;

export const OMNI_MODELS: Readonly<Record<string, OmniLimits>> = {
  "gemini-omni-flash-preview": {
    displayName: "Gemini Omni Flash Preview",
    resolutions: ["720p"],
    minSeconds: 3,
    maxSeconds: 10,
    extends: false,
  },
  "gemini-omni-1.1-flash": {
    displayName: "Gemini Omni 1.1 Flash",
    resolutions: ALL_RESOLUTIONS,
    minSeconds: 3,
    maxSeconds: 10,
    extends: true,
  },
  "gemini-omni-1.2-flash": {
    displayName: "Gemini Omni 1.2 Flash",
    resolutions: ALL_RESOLUTIONS,
    minSeconds: 3,
    maxSeconds: 15,
    extends: true,
  },
};

export const ASPECT_RATIOS = ["16:9", "9:16"];
/** The length a video gets when the request names none. */
export const DEFAULT_SECONDS = 8;

/** Extension on the Gemini API: 3–10 s more, of a 360p or 720p video, at most 30 s in all. */
export const EXTENSION = {
  minSeconds: 3,
  maxSeconds: 10,
  defaultSeconds: 10,
  maxTotalSeconds: 30,
  resolutions: ["360p", "720p"],
};

/** Every Veo model is gone from the Gemini API, as are the ids an option names. */
export function isRetired(model: string, retired: readonly string[]): boolean {
  return model.startsWith("veo-") || retired.includes(model);
}
