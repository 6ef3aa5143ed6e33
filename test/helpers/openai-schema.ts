import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** OpenAI's OpenAPI document, cut to its audio and model routes (see test/contract/openai/README.md). */
const DOCUMENT_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'contract', 'openai', 'openapi-audio.json');
const SCHEMA_ID = 'openai-openapi';

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { headers?: Record<string, { schema: unknown }> }> };
}

export const openApi = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as OpenApiDocument;

function compiler(): Ajv2020 {
  // Strict: an unknown keyword fails compilation, so a schema is never half-read. OpenAPI's own
  // annotations are declared as such; `discriminator` is an annotation too (OpenAI pairs it with
  // anyOf, and each branch pins `type` with an enum, which is what is validated).
  const ajv = new Ajv2020({ strict: true, strictTypes: false, allErrors: true, allowUnionTypes: true });
  ajv.addVocabulary(['components', 'discriminator', 'example', 'optional', 'x-oaiMeta', 'x-oaiTypeLabel', 'x-stainless-const']);
  addFormats.default(ajv);
  // OpenAPI's number and binary formats say how a value is stored, not what is valid.
  for (const format of ['double', 'float']) ajv.addFormat(format, { type: 'number', validate: () => true });
  ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: SCHEMA_ID, components: openApi.components });
  return ajv;
}

const ajv = compiler();
const validators = new Map<string, ValidateFunction>();

function validatorFor(pointer: string): ValidateFunction {
  let validate = validators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SCHEMA_ID}#${pointer}` });
    validators.set(pointer, validate);
  }
  return validate;
}

/** Asserts that `value` satisfies component schema `name` (e.g. "TranscriptionSegment"); every violation is listed. */
export function assertSchema(name: string, value: unknown, what = name): void {
  assert.ok(openApi.components.schemas[name], `OpenAI's document has no schema ${name}`);
  const validate = validatorFor(`/components/schemas/${name}`);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} (${e.schemaPath})`).join('\n  ');
    assert.fail(`${what} violates OpenAI's ${name}:\n  ${problems}\n${JSON.stringify(value).slice(0, 600)}`);
  }
}

/** Asserts a response header against the schema OpenAI's shared response `response` gives it (e.g. TooManyRequests, Retry-After). */
export function assertHeaderSchema(response: string, header: string, raw: string | null): void {
  const spec = openApi.components.responses[response]?.headers?.[header];
  assert.ok(spec, `OpenAI's ${response} response declares no ${header} header`);
  assert.notEqual(raw, null, `${header} is missing`);
  const validate = validatorFor(`/components/responses/${response}/headers/${header}/schema`);
  const value = /^-?\d+$/.test(raw!) ? Number(raw) : raw;
  assert.ok(validate(value), `${header}: ${raw} violates OpenAI's schema: ${JSON.stringify(validate.errors)}`);
}

/** The component names a route's response content refers to (`oneOf`/`anyOf` branches or a single `$ref`). */
export function responseSchemaNames(path: string, method: string, status: string, contentType: string): string[] {
  const response = openApi.paths[path]?.[method]?.responses[status] as { content?: Record<string, { schema: Record<string, unknown> }> } | undefined;
  const schema = response?.content?.[contentType]?.schema;
  assert.ok(schema, `OpenAI's document has no ${contentType} ${status} response for ${method.toUpperCase()} ${path}`);
  const refs = (schema.$ref ? [schema] : ((schema.oneOf ?? schema.anyOf ?? []) as Record<string, unknown>[])).map((s) => String(s.$ref));
  return refs.map((ref) => ref.replace('#/components/schemas/', ''));
}
