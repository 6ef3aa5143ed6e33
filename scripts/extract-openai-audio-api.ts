/**
 * Cuts the audio and model routes, and every component they reference, out of OpenAI's
 * published OpenAPI document, unchanged, for the contract test:
 *   tsx scripts/extract-openai-audio-api.ts <openapi.json> > test/contract/openai/openapi-audio.json
 */
import { readFileSync } from 'node:fs';

const PATHS = ['/audio/speech', '/audio/transcriptions', '/audio/translations', '/models', '/models/{model}'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const document = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { openapi: string; info: Json; paths: Record<string, Json>; components: Record<string, Record<string, Json>> };
const components: Record<string, Record<string, Json>> = {};

function collect(node: Json): void {
  if (Array.isArray(node)) return node.forEach(collect);
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const [, section, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(value) ?? [];
      if (!section || !name || components[section]?.[name] !== undefined) continue;
      const target = document.components[section]?.[name];
      if (target === undefined) throw new Error(`dangling $ref ${value}`);
      (components[section] ??= {})[name] = target;
      collect(target);
    } else {
      collect(value);
    }
  }
}

const paths = Object.fromEntries(PATHS.map((path) => [path, document.paths[path]!]));
collect(paths);
const sorted = Object.fromEntries(Object.entries(components).map(([section, entries]) => [section, Object.fromEntries(Object.entries(entries).sort(([a], [b]) => a.localeCompare(b)))]));
process.stdout.write(`${JSON.stringify({ openapi: document.openapi, info: document.info, paths, components: sorted }, null, 2)}\n`);
