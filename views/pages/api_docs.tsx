import type { Json } from "../../routes/api/openapi.ts";
import { Layout } from "../layout.tsx";

/**
 * The JSON API's reference, read from its OpenAPI document (routes/api/openapi.ts) so the page and
 * the document cannot disagree. Plain HTML: it needs no script.
 */

type Schema = Json & {
  $ref?: string;
  type?: string | string[];
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
};

const refName = (ref: string) => ref.split("/").pop() ?? ref;

/** A schema's type in a few words: `string`, `"queued" | "failed"`, `Video[]`, `string or null`. */
function typeText(schema: Schema | undefined): string {
  if (!schema) return "any";
  if (schema.$ref) return refName(schema.$ref);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.anyOf) return schema.anyOf.map(typeText).join(" or ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return types.map((type) =>
    type === "array"
      ? `${typeText(schema.items)}[]`
      : type === "object" && schema.properties
      ? `{ ${
        Object.keys(schema.properties).map((name) =>
          schema.required?.includes(name) ? name : `${name}?`
        ).join(", ")
      } }`
      : type === "object" && schema.additionalProperties &&
          typeof schema.additionalProperties === "object"
      ? `{ name: ${typeText(schema.additionalProperties)} }`
      : type
  ).join(" or ") || "any";
}

/** The limits a value must keep, in words. */
function rulesText(schema: Schema): string {
  const rules: string[] = [];
  const s = schema as Record<string, unknown>;
  const characters = (n: unknown) => `${n} character${n === 1 ? "" : "s"}`;
  if (s.minLength !== undefined) rules.push(`at least ${characters(s.minLength)}`);
  if (s.maxLength !== undefined) rules.push(`at most ${characters(s.maxLength)}`);
  if (s.minimum !== undefined) rules.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) rules.push(`≤ ${s.maximum}`);
  if (s.pattern !== undefined) rules.push(`matches ${s.pattern}`);
  if (s.format !== undefined) rules.push(String(s.format));
  if (s.default !== undefined) rules.push(`default ${JSON.stringify(s.default)}`);
  if (typeof s.description === "string") rules.push(s.description);
  return rules.join("; ");
}

function FieldTable(props: { fields: [string, Schema, boolean][] }) {
  return (
    <table class="api-fields">
      <thead>
        <tr>
          <th scope="col">name</th>
          <th scope="col">type</th>
          <th scope="col">required</th>
          <th scope="col">rules</th>
        </tr>
      </thead>
      <tbody>
        {props.fields.map(([name, schema, required]) => (
          <tr>
            <td>
              <code>{name}</code>
            </td>
            <td>
              <code>{typeText(schema)}</code>
            </td>
            <td>{required ? "yes" : "no"}</td>
            <td>{rulesText(schema)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const objectFields = (schema: Schema): [string, Schema, boolean][] =>
  Object.entries(schema.properties ?? {}).map((
    [name, field],
  ) => [name, field, schema.required?.includes(name) ?? false]);

/** A curl line a person can paste, with `$BASE` and `$TOKEN` set as the page says. */
function curlExample(method: string, path: string, op: Json): string {
  const secured = !(Array.isArray(op.security) && op.security.length === 0);
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const example = body?.["application/json"]?.example;
  const lines = [`curl -s${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "$BASE${path}"`];
  if (secured) lines.push(`-H "authorization: Bearer $TOKEN"`);
  if (example !== undefined) {
    lines.push(`-H 'content-type: application/json'`, `-d '${JSON.stringify(example)}'`);
  }
  return lines.join(" \\\n  ");
}

function Operation(props: { method: string; path: string; op: Json }) {
  const { method, path, op } = props;
  const params = (op.parameters ?? []) as (Json & { name: string; in: string; schema: Schema })[];
  const body = (op.requestBody as Json | undefined)?.content as Record<string, Json> | undefined;
  const jsonBody = body?.["application/json"]?.schema as Schema | undefined;
  const answers = Object.entries(op.responses as Record<string, Json>);
  const open = Array.isArray(op.security) && op.security.length === 0;
  return (
    <section class="api-route" id={String(op.operationId)}>
      <h3>
        <code>{method.toUpperCase()} {path}</code>
      </h3>
      <p>
        {String(op.summary)}
        {open ? " — no token needed." : "."}
      </p>
      {op.description && <p>{String(op.description)}</p>}
      {params.length > 0 && (
        <>
          <h4>Parameters</h4>
          <FieldTable
            fields={params.map((p) => [
              `${p.name} (${p.in})`,
              { ...p.schema, description: p.description ?? p.schema.description },
              Boolean(p.required),
            ])}
          />
        </>
      )}
      {jsonBody && (
        <>
          <h4>
            Body: JSON{body?.["multipart/form-data"] &&
              " — or multipart/form-data with the same fields and input_reference (a file)"}
          </h4>
          <FieldTable fields={objectFields(jsonBody)} />
        </>
      )}
      <h4>Answers</h4>
      <ul>
        {answers.map(([status, answer]) => {
          const content = answer.content as Record<string, Json> | undefined;
          const shape = (content?.["application/json"]?.schema as Schema | undefined)?.$ref;
          return (
            <li>
              <strong>{status}</strong> {String(answer.description)}
              {shape
                ? (
                  <>
                    {" "}— <a href={`#schema-${refName(shape)}`}>{refName(shape)}</a>
                  </>
                )
                : content && ` (${Object.keys(content).join(", ")})`}
            </li>
          );
        })}
      </ul>
      <h4>Example</h4>
      <pre><code>{curlExample(method, path, op)}</code></pre>
    </section>
  );
}

export function ApiDocsPage(props: { document: Json; base: string; demo: boolean }) {
  const doc = props.document as Json & {
    info: { title: string; version: string; description: string };
    tags: { name: string; description: string }[];
    paths: Record<string, Record<string, Json>>;
    components: { schemas: Record<string, Schema> };
  };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op }))
  );
  return (
    <Layout title="API reference" demo={props.demo}>
      <article class="api-docs">
        <h1>{doc.info.title} {doc.info.version}</h1>
        <p>{doc.info.description}</p>
        <p>
          The same, for tools and generated clients:{" "}
          <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1). The examples expect:
        </p>
        <pre><code>{`BASE=${props.base}\nTOKEN=…   # from /account/tokens`}</code></pre>
        <nav aria-label="Routes">
          <ul>
            {operations.map(({ path, method, op }) => (
              <li>
                <a href={`#${op.operationId}`}>
                  <code>{method.toUpperCase()} {path}</code>
                </a>{" "}
                {String(op.summary)}
              </li>
            ))}
          </ul>
        </nav>
        {doc.tags.map((tag) => (
          <section class="api-tag">
            <h2>{tag.name}</h2>
            <p>{tag.description}</p>
            {operations.filter(({ op }) => (op.tags as string[]).includes(tag.name)).map((o) => (
              <Operation {...o} />
            ))}
          </section>
        ))}
        <section class="api-tag">
          <h2>Shapes</h2>
          <p>Answers may carry more fields than these; none listed is removed.</p>
          {Object.entries(doc.components.schemas).map(([name, schema]) => (
            <section class="api-shape" id={`schema-${name}`}>
              <h3>{name}</h3>
              {schema.description && <p>{String(schema.description)}</p>}
              <FieldTable fields={objectFields(schema)} />
            </section>
          ))}
        </section>
      </article>
    </Layout>
  );
}
