import { ApiError, GenerateVideosOperation, GoogleGenAI } from "@google/genai";

/**
 * The Gemini SDK's client as the Veo provider uses it. Its own module so the large SDK is loaded on
 * the provider's first upstream call, not at start.
 */
export class VeoClient extends GoogleGenAI {
  /** A video operation by its name (`models/…/operations/…`), as it is now. */
  operation(name: string): Promise<GenerateVideosOperation> {
    return this.operations.getVideosOperation({
      operation: Object.assign(new GenerateVideosOperation(), { name }),
    });
  }

  /**
   * What `files.download` does (same URL, key header and error mapping), but answering the
   * response instead of writing it to a path itself: the poller streams it to a temporary file,
   * checks its length and renames it, and gives up on a stalled body.
   */
  async downloadFile(fileId: string, signal: AbortSignal): Promise<Response> {
    const response = await this.apiClient.request({
      path: `files/${fileId}:download`,
      httpMethod: "GET",
      queryParams: { alt: "media" },
      // No time limit on the body: the caller watches it for stalls instead.
      httpOptions: { timeout: 0 },
      abortSignal: signal,
    });
    return response.responseInternal;
  }
}

export { ApiError };
