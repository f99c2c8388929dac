import { VERSION } from "../app/version.ts";
import { IMAGE_EXTENSIONS, type ImageType } from "../media/images.ts";
import type { Derivation, Video } from "../types.ts";
import { type DownloadName, downloadName } from "./download_name.ts";
import { videoDetail, type VideoServices } from "./videos.ts";

/** A video in another's lineage: enough to find it again. */
interface LineageEntry {
  id: string;
  derivation: Derivation;
  prompt: string;
}

/**
 * Everything that made a video, as a JSON document to keep beside its MP4. There is no hash of
 * the MP4: hashing a file of hundreds of MB on every request costs far more than the request, and
 * the file never changes once stored, so `file_name` and `media.bytes` name it.
 */
export interface Provenance {
  app: { name: "Sora Studio"; version: string };
  exported_at: string;
  id: string;
  status: Video["status"];
  prompt: string;
  negative_prompt: string | null;
  reference: (NonNullable<Video["reference"]> & { file_name: string | null }) | null;
  model: string;
  model_label: string;
  size: string;
  seconds: string;
  audio: boolean | null;
  provider: string;
  provider_name: string;
  upstream_id: string | null;
  cost: number;
  made_by: string;
  created_at: string;
  completed_at: string | null;
  media: Video["media"];
  /** The name the MP4 is downloaded as (null until the video is finished). */
  file_name: string | null;
  lineage: { source: LineageEntry | null; made_from_this: LineageEntry[] };
}

/** The provenance document of one of the user's videos, and the name it is downloaded as. */
export async function videoProvenance(
  s: VideoServices,
  userId: number,
  id: string,
): Promise<{ document: Provenance; fileName: DownloadName }> {
  const detail = await videoDetail(s, userId, id);
  const { video } = detail;
  const row = { created_at: Date.parse(video.created_at), prompt: video.prompt };
  const referenceExtension = IMAGE_EXTENSIONS[video.reference?.type as ImageType] ?? "bin";
  return {
    fileName: downloadName(row, ".json"),
    document: {
      app: { name: "Sora Studio", version: VERSION },
      exported_at: new Date(s.now()).toISOString(),
      id: video.id,
      status: video.status,
      prompt: video.prompt,
      negative_prompt: video.negative_prompt,
      reference: video.reference && {
        ...video.reference,
        file_name: video.reference.url
          ? downloadName(row, `-reference.${referenceExtension}`).utf8
          : null,
      },
      model: video.model,
      model_label: video.model_label,
      size: video.size,
      seconds: video.seconds,
      audio: video.audio,
      provider: video.provider,
      provider_name: video.provider_name,
      upstream_id: video.upstream_id,
      cost: video.cost,
      made_by: detail.madeBy,
      created_at: video.created_at,
      completed_at: video.completed_at,
      media: video.media,
      file_name: video.status === "completed" ? downloadName(row, ".mp4").utf8 : null,
      lineage: {
        source: video.remixed_from
          ? {
            id: video.remixed_from,
            derivation: detail.derivation ?? "remix",
            prompt: detail.source?.prompt ?? "",
          }
          : null,
        made_from_this: detail.derived.map((d) => ({
          id: d.video.id,
          derivation: d.derivation,
          prompt: d.video.prompt,
        })),
      },
    },
  };
}
