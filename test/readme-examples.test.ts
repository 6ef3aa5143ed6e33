/** Every model id an example in the README names is one a pull installs (or an OpenAI name that stands for one). */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { KNOWN_MODELS } from '../src/catalogue/known-models.js';
import { KNOWN_VOICE_PACKS } from '../src/catalogue/voice-packs.js';
import { OPENAI_STT_MODELS, OPENAI_TTS_MODELS } from '../src/engine/model-aliases.js';
import { ROOT } from './helpers/cli.js';

const MODEL_IN_EXAMPLE = [/"model":\s*"([^"<]+)"/g, /\\"model\\":\s*\\"([^"\\<]+)\\"/g, /-F model=([\w.-]+)/g, /model: '([^'<]+)'/g, /--model ([\w.-]+)/g, /vocable pull ((?:[\w.-]+ ?)+)/g];

test("the README's examples name only ids a pull installs", async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const known = new Set<string>([...KNOWN_MODELS.map((m) => m.id), ...KNOWN_VOICE_PACKS.map((p) => p.id), ...OPENAI_TTS_MODELS, ...OPENAI_STT_MODELS]);
  const named = MODEL_IN_EXAMPLE.flatMap((pattern) => [...readme.matchAll(pattern)].flatMap((m) => m[1]!.trim().split(/\s+/)));
  assert.ok(named.length > 10, `found ${named.length} model ids in examples`);
  const unknown = [...new Set(named.filter((id) => !known.has(id) && !/^(<|-|[A-Z])/.test(id)))];
  assert.deepEqual(unknown, [], 'ids no pull installs');
});
