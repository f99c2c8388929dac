import { notFound } from "../errors.ts";
import { audioOf, remakeOf } from "./video_facts.ts";
import type { VideoServices } from "./videos.ts";

/**
 * What made a video, as the create form takes it: "Use these settings", Re-run and Try again
 * open the form filled with these, to be changed before anything is spent.
 */
export interface VideoSettings {
  /** The video they come from. */
  from: string;
  prompt: string;
  negative_prompt: string | null;
  /** An offered model: the video's own, or its successor; null when neither is offered here. */
  model: string | null;
  size: string;
  seconds: string;
  /** Its sound choice; null when its model had none. */
  audio: boolean | null;
  /** The video was made from an image; the form cannot carry it over (the page must say so). */
  had_reference: boolean;
  /** Why the model is not the video's own (retired, or not offered here); null when it is. */
  model_note: string | null;
}

/** The settings of one of the user's videos (404 for anyone else's). */
export async function videoSettings(
  s: VideoServices,
  userId: number,
  id: string,
): Promise<VideoSettings> {
  const row = await s.db.videoOfUser(id, userId);
  if (!row) throw notFound();
  const base = {
    from: row.id,
    prompt: row.prompt,
    negative_prompt: row.negative_prompt,
    audio: audioOf(row) ?? null,
    had_reference: row.reference_key !== null,
  };
  if (s.providers.findModel(row.model)) {
    return { ...base, model: row.model, size: row.size, seconds: row.seconds, model_note: null };
  }
  const label = s.facts.model(row)?.label ?? row.model;
  const remake = remakeOf(s.facts, row);
  if (remake) {
    return {
      ...base,
      model: remake.model,
      size: remake.size,
      seconds: remake.seconds,
      model_note: `${label} has been retired; its successor ${remake.label} is chosen instead.`,
    };
  }
  const retired = s.facts.model(row)?.retired;
  return {
    ...base,
    model: null,
    size: row.size,
    seconds: row.seconds,
    model_note: retired
      ? `${label} has been retired; choose another model.`
      : `${label} is not offered on this server now; choose another model.`,
  };
}
