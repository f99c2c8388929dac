import type { ModelInfo } from "../../services/types.ts";
import type { VideoSettings } from "../../services/videos/video_settings.ts";
import { DEFAULT_MODEL } from "../../services/models/models.ts";
import { MAX_REFERENCE_BYTES } from "../../services/media/images.ts";
import {
  formatCost,
  modelNote,
  modelsPayload,
  type ModelView,
  modelView,
  quoteOf,
  safeJson,
  secondsAt,
  sizeLabel,
  videoPath,
} from "../format.ts";
import { Icon } from "./Icon.tsx";
import { Option } from "./Option.tsx";

export const PROMPT_MAX = 4000;
export const NEGATIVE_PROMPT_MAX = 1000;
export const REFERENCE_MAX_BYTES = MAX_REFERENCE_BYTES;
export const REFERENCE_TYPES = "image/jpeg,image/png,image/webp";

function pick(options: readonly string[], preferred: string): string {
  return options.includes(preferred) ? preferred : options[0] ?? "";
}

function priceHint(model: ModelView): string {
  return model.fromPrice ? `${model.label} — ${model.fromPrice}` : model.label;
}

function ModelOptions(props: { models: ModelView[]; selected?: string }) {
  const providers = [...new Set(props.models.map((m) => m.providerName))];
  const option = (m: ModelView) => (
    <Option key={m.id} value={m.id} selected={m.id === props.selected}>{priceHint(m)}</Option>
  );
  if (providers.length < 2) return <>{props.models.map(option)}</>;
  return (
    <>
      {providers.map((name) => (
        <optgroup key={name} label={name}>
          {props.models.filter((m) => m.providerName === name).map(option)}
        </optgroup>
      ))}
    </>
  );
}

/**
 * Where a pre-filled form's settings came from, and what of them could not be kept: a model no
 * longer offered, or a reference image (a file input cannot be filled by the server).
 */
function SettingsNote(props: { settings: VideoSettings }) {
  const { settings } = props;
  return (
    <div class="settings-note" role="status">
      <p>
        Filled in from{" "}
        <a href={videoPath({ id: settings.from })}>this video</a>: change what you like, then
        Generate.
      </p>
      {settings.model_note && <p class="settings-warning">{settings.model_note}</p>}
      {settings.had_reference && (
        <p class="settings-warning">
          It was made from a reference image, which is not carried over: add it again if you want it
          (the video's page has it to download).
        </p>
      )}
    </div>
  );
}

/**
 * The "new video" form (Alpine component `createForm` in app.js). Posts multipart to
 * POST /videos; the 201 answer (a VideoCard) is prepended to #library. The models offered are
 * embedded as JSON (`#models-data`) so the size and length options, the optional inputs and the
 * cost estimate follow the chosen model (and size) without any inline script.
 */
export function CreateForm(props: { models: readonly ModelInfo[]; settings?: VideoSettings }) {
  const { settings } = props;
  const models = props.models.map(modelView);
  const model = models.find((m) => m.id === (settings?.model ?? DEFAULT_MODEL)) ??
    models.find((m) => m.id === DEFAULT_MODEL) ?? models[0];
  const sizes = model?.sizes ?? [];
  const size = sizes.includes(settings?.size ?? "")
    ? settings!.size
    : pick(sizes, model?.defaultSize ?? "");
  const secondsList = model ? secondsAt(model, size) : [];
  const seconds = secondsList.includes(settings?.seconds ?? "")
    ? settings!.seconds
    : pick(secondsList, model?.defaultSeconds ?? "");
  const audioChoice = model?.audioChoice ?? false;
  const sound = audioChoice ? settings?.audio ?? model?.audio ?? true : model?.audio ?? true;
  const cost = model ? quoteOf(model, size, seconds, sound) : 0;
  const negative = model?.negativePrompt ?? false;
  const reference = model?.reference ?? true;

  return (
    <form
      id="create-form"
      class="create-form"
      method="post"
      action="/videos"
      enctype="multipart/form-data"
      hx-post="/videos"
      hx-target="#library"
      hx-swap="afterbegin"
      hx-disable="find button[type=submit]"
      x-data="createForm"
      data-max-bytes={REFERENCE_MAX_BYTES}
    >
      <script
        type="application/json"
        id="models-data"
        dangerouslySetInnerHTML={{ __html: safeJson(modelsPayload(props.models)) }}
      />
      <div class="create-main">
        {settings && <SettingsNote settings={settings} />}
        <div class="field field-prompt">
          <div class="field-head">
            <label for="create-prompt">Prompt</label>
            <span id="create-prompt-count" class="counter" x-bind:class="counterClass">
              <span x-text="promptLength">0</span> / {PROMPT_MAX}
            </span>
            <button
              type="button"
              class="btn btn-sm btn-ghost prompt-clear"
              aria-controls="create-prompt"
              x-on:click="clearPrompt"
            >
              Clear
            </button>
          </div>
          <textarea
            id="create-prompt"
            name="prompt"
            rows={6}
            maxlength={PROMPT_MAX}
            required
            x-ref="prompt"
            x-on:input="countPrompt"
            x-on:keydown="promptKeydown"
            aria-describedby="create-prompt-count create-prompt-hint"
            placeholder="A golden retriever surfing a turquoise wave at sunset, slow motion, shot on 35 mm film"
            autofocus={settings ? true : undefined}
          >
            {settings?.prompt ?? ""}
          </textarea>
          <p id="create-prompt-hint" class="hint">
            Describe subject, setting, camera and mood. Press Ctrl + Enter to generate.
          </p>
        </div>
        <div class="field field-negative" hidden={!negative} x-bind:hidden="noNegative">
          <div class="field-head">
            <label for="create-negative">
              Leave out <span class="optional">optional</span>
            </label>
          </div>
          <input
            id="create-negative"
            type="text"
            name="negative_prompt"
            maxlength={NEGATIVE_PROMPT_MAX}
            disabled={!negative}
            x-bind:disabled="noNegative"
            value={settings?.negative_prompt ?? undefined}
            autocomplete="off"
            aria-describedby="create-negative-hint"
            placeholder="text overlays, blur, extra limbs"
          />
          <p id="create-negative-hint" class="hint">
            What the video should not show (a negative prompt).
          </p>
        </div>
        <div class="field field-reference" hidden={!reference} x-bind:hidden="noReference">
          <span class="label" id="create-ref-label">
            Reference image <span class="optional">optional</span>
          </span>
          <div class="reference" x-bind:class="referenceClass">
            <div class="reference-preview" hidden x-bind:hidden="noPreview">
              <img alt="Reference image preview" x-bind:src="previewUrl" />
              <button
                type="button"
                class="icon-btn reference-clear"
                aria-label="Remove reference image"
                x-on:click="clearFile"
              >
                <Icon name="close" />
              </button>
            </div>
            <input
              id="create-reference"
              class="reference-input"
              type="file"
              name="input_reference"
              accept={REFERENCE_TYPES}
              x-ref="file"
              x-on:change="fileChanged"
              disabled={!reference}
              x-bind:disabled="noReference"
              aria-labelledby="create-ref-label"
              aria-describedby="create-reference-error"
            />
            <label for="create-reference" class="reference-drop">
              <Icon name="image" />
              <span class="reference-text">
                <strong x-text="fileLabel">Choose an image</strong>
                <span class="hint">JPEG, PNG or WebP · up to 20 MB · first frame</span>
              </span>
            </label>
          </div>
          <p
            id="create-reference-error"
            class="field-error"
            role="alert"
            hidden
            x-bind:hidden="noFileError"
            x-text="fileError"
          >
          </p>
        </div>
      </div>

      <div class="create-side">
        <div class="field">
          <label for="create-model">Model</label>
          <select
            id="create-model"
            name="model"
            x-ref="model"
            x-on:change="modelChanged"
            aria-describedby="create-model-note"
          >
            <ModelOptions models={models} selected={model?.id} />
          </select>
          <p id="create-model-note" class="hint" x-text="modelNote">{modelNote(model)}</p>
        </div>
        <div class="field">
          <label for="create-size">Size</label>
          <select id="create-size" name="size" x-ref="size" x-on:change="sizeChanged">
            {sizes.map((s) => (
              <Option key={s} value={s} selected={s === size}>{sizeLabel(s)}</Option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="create-seconds">Length</label>
          <select id="create-seconds" name="seconds" x-ref="seconds" x-on:change="recalc">
            {secondsList.map((s) => (
              <Option key={s} value={s} selected={s === seconds}>{s} seconds</Option>
            ))}
          </select>
        </div>
        <div class="field field-audio" hidden={!audioChoice} x-bind:hidden="noAudioChoice">
          <label class="check">
            <input
              type="checkbox"
              name="audio"
              value="on"
              checked={sound}
              disabled={!audioChoice}
              x-bind:disabled="noAudioChoice"
              x-ref="audio"
              x-on:change="recalc"
            />
            With sound
          </label>
          {/* An unchecked box sends nothing; this says "off" instead, and only then. */}
          <input
            type="hidden"
            name="audio"
            value="off"
            disabled={!audioChoice || sound}
            x-bind:disabled="soundOrNoChoice"
          />
        </div>
        <div class="estimate">
          <span class="estimate-label">Estimated cost</span>
          <output class="cost" for="create-model create-size create-seconds" x-text="costLabel">
            {formatCost(cost)}
          </output>
        </div>
        <button type="submit" class="btn btn-primary btn-lg btn-block">
          <span class="spinner htmx-indicator" aria-hidden="true"></span>
          Generate
        </button>
        <p class="hint htmx-indicator submit-status" role="status">Sending your request…</p>
      </div>
    </form>
  );
}
