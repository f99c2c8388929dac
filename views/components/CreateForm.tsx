import type { ModelInfo } from "../../services/types.ts";
import { DEFAULT_MODEL, DEFAULT_SECONDS, DEFAULT_SIZE } from "../../services/models.ts";
import { formatCost, modelsPayload, safeJson, sizeLabel } from "../format.ts";
import { Icon } from "./Icon.tsx";
import { Option } from "./Option.tsx";

export const PROMPT_MAX = 4000;
export const REFERENCE_MAX_BYTES = 20 * 1024 * 1024;
export const REFERENCE_TYPES = "image/jpeg,image/png,image/webp";

function pick(options: readonly string[], preferred: string): string {
  return options.includes(preferred) ? preferred : options[0] ?? "";
}

function priceHint(model: ModelInfo): string {
  const prices = Object.values(model.price_per_second);
  if (prices.length === 0) return model.id;
  const min = Math.min(...prices);
  return `${model.id} — from $${min.toFixed(2)}/s`;
}

/**
 * The "new video" form (Alpine component `createForm` in app.js). Posts multipart to
 * POST /videos; the 201 answer (a VideoCard) is prepended to #library. The model list is
 * embedded as JSON (`#models-data`) so the size/seconds options and the cost estimate
 * follow the chosen model without any inline script.
 */
export function CreateForm(props: { models: readonly ModelInfo[] }) {
  const models = props.models;
  const model = models.find((m) => m.id === DEFAULT_MODEL) ?? models[0];
  const sizes = model?.sizes ?? [];
  const secondsList = model?.seconds ?? [];
  const size = pick(sizes, DEFAULT_SIZE);
  const seconds = pick(secondsList, DEFAULT_SECONDS);
  const cost = (model?.price_per_second[size] ?? 0) * Number(seconds || 0);

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
    >
      <script
        type="application/json"
        id="models-data"
        dangerouslySetInnerHTML={{ __html: safeJson(modelsPayload(models)) }}
      />
      <div class="create-main">
        <div class="field field-prompt">
          <div class="field-head">
            <label for="create-prompt">Prompt</label>
            <span id="create-prompt-count" class="counter" x-bind:class="counterClass">
              <span x-text="promptLength">0</span> / {PROMPT_MAX}
            </span>
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
          />
          <p id="create-prompt-hint" class="hint">
            Describe subject, setting, camera and mood. Press Ctrl + Enter to generate.
          </p>
        </div>
        <div class="field field-reference">
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
          <select id="create-model" name="model" x-ref="model" x-on:change="modelChanged">
            {models.map((m) => (
              <Option key={m.id} value={m.id} selected={m.id === model?.id}>
                {priceHint(m)}
              </Option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="create-size">Size</label>
          <select id="create-size" name="size" x-ref="size" x-on:change="recalc">
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
