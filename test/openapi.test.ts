/** The API document: OpenAPI 3.1 at /openapi.json, generated from the request schemas, covering every route and error code; /docs renders it. */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { ERROR_CODES } from '../src/errors.js';
import { errorTable } from '../scripts/error-table.js';
import type { OpenApiDocument } from '../src/server/openapi/document.js';
import { testApp } from './helpers/app.js';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const MAX_INPUT_CHARS = 321;

let app: FastifyInstance;
const routes: { method: string; url: string }[] = [];
let document: OpenApiDocument;

before(async () => {
  ({ app } = await testApp(await fixtureModelsDir(), { apiKey: 'sk-docs', maxInputChars: MAX_INPUT_CHARS }));
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url !== '*') routes.push({ method: method.toLowerCase(), url: route.url });
  });
  await app.ready();
  const response = await app.inject('/openapi.json');
  assert.equal(response.statusCode, 200, 'served without the API key');
  document = response.json<OpenApiDocument>();
});
after(async () => app.close());

const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

test('the document is valid OpenAPI 3.1', async () => {
  const result = await new Validator().validate(structuredClone(document) as unknown as Parameters<Validator['validate']>[0]);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(document.openapi, '3.1.0');
});

test('every route the app registers is in the document, and the document has no route the app lacks', () => {
  assert.ok(routes.length >= 20, `the route table was read (${routes.length} routes)`);
  const registered = new Set(routes.map((r) => `${r.method} ${openApiPath(r.url)}`));
  const documented = new Set(Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`)));
  assert.deepEqual([...registered].filter((r) => !documented.has(r)), [], 'routes missing from the document');
  assert.deepEqual([...documented].filter((d) => !registered.has(d)), [], 'documented routes the app does not have');
});

test('the speech body is the schema the route validates with: cloning fields, this server\'s input limit, and the same verdicts', async () => {
  const schema = (document.paths['/v1/audio/speech']!.post!.requestBody!.content['application/json']!.schema) as { properties: Record<string, { maxLength?: number; description?: string }> };
  assert.equal(schema.properties.input!.maxLength, MAX_INPUT_CHARS);
  assert.match(schema.properties.ref_audio!.description!, /base64/);
  assert.match(schema.properties.ref_text!.description!, /transcript/);
  const validate = new Ajv2020({ strict: false }).compile(schema);
  const speak = (body: object) => app.inject({ method: 'POST', url: '/v1/audio/speech', headers: { authorization: 'Bearer sk-docs' }, payload: { ...body, stream: false } });
  for (const body of [{ model: 'kokoro', input: 'x'.repeat(MAX_INPUT_CHARS + 1) }, { model: 'kokoro', input: 'Hi.', speed: 9 }, { model: 'kokoro', input: 'Hi.', sample_rate: 4000 }, { model: 'kokoro' }]) {
    assert.equal(validate(body), false, `the document refuses ${JSON.stringify(body).slice(0, 60)}`);
    assert.equal((await speak(body)).statusCode, 400, 'and so does the server');
  }
  const good = { model: 'kokoro', input: 'Hello.', voice: 'af_heart', speed: 1.2, response_format: 'wav' };
  assert.equal(validate(good), true, JSON.stringify(validate.errors));
  assert.equal((await speak(good)).statusCode, 200);
});

test('saved voices, pull and transcription are documented with their request bodies', () => {
  const voice = document.paths['/v1/voices']!.post!.requestBody!.content;
  assert.deepEqual(Object.keys(voice).sort(), ['application/json', 'multipart/form-data']);
  assert.ok((voice['application/json']!.schema.required as string[]).includes('audio'));
  assert.ok(document.paths['/v1/models/pull']!.post!.requestBody);
  const transcription = document.paths['/v1/audio/transcriptions']!.post!.requestBody!.content['multipart/form-data']!.schema as { properties: Record<string, unknown>; required: string[] };
  assert.deepEqual(transcription.required.sort(), ['file', 'model']);
  assert.ok('timestamp_granularities' in transcription.properties);
});

test('every error code of the catalogue is in the document, and every code in the catalogue is used by the server', async () => {
  const documented = (document.components.schemas.ErrorCode!.oneOf as { const: string }[]).map((c) => c.const);
  assert.deepEqual(documented.sort(), Object.keys(ERROR_CODES).sort());
  const sources: string[] = [];
  for (const entry of await readdir(SRC, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) sources.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  const unused = Object.keys(ERROR_CODES).filter((code) => !sources.some((text) => text.includes(`'${code}'`)));
  assert.deepEqual(unused, [], 'catalogue codes no error is built with');
});

test("the README's table of error codes is the catalogue", async () => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(`${errorTable()}\n`), 'README.md differs from the catalogue: paste the output of `npx tsx scripts/error-table.ts` under "Error codes"');
});

test('/docs is a self-contained page of every operation and error code, open without the key', async () => {
  const response = await app.inject('/docs');
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/html/);
  assert.match(String(response.headers['content-security-policy']), /default-src 'none'/);
  const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
  assert.equal(response.body.match(/class="op"/g)?.length, operations.length);
  for (const code of Object.keys(ERROR_CODES)) assert.ok(response.body.includes(`<code>${code}</code>`), code);
  assert.doesNotMatch(response.body, /<script|https?:\/\/(?!127)/, 'no script, nothing fetched from elsewhere');
});
