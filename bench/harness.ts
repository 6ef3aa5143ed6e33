import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels, type InstalledTtsModel } from '../src/engine/discovery.js';
import type { SynthesisInput } from '../src/engine/family.js';
import { sherpa, type NativeOfflineTts } from '../src/native/sherpa.js';
import { buildApp, type App } from '../src/server/app.js';
import { prepareReferenceAudio } from '../src/reference/reference-clip.js';

const CLIP = readFileSync(join(import.meta.dirname, '..', 'test', 'data', 'speech', 'spk1_snt1.wav'));
const REF_TEXT = 'The words of the reference clip.';

/** One fixture model, loaded directly in the engine, and its HTTP request body. */
export interface BenchModel {
  model: InstalledTtsModel;
  engine: NativeOfflineTts;
  /** The direct engine call's input for `text` (the clip already prepared, as the server does per request). */
  input(text: string): Promise<SynthesisInput>;
  body(text: string, extra?: Record<string, unknown>): string;
}

export interface Bench {
  app: App;
  base: string;
  models: BenchModel[];
  close(): Promise<void>;
}

/** A listening server over the fixture models plus a direct engine per model, in one process. */
export async function startBench(): Promise<Bench> {
  const modelsDir = await fixtureModelsDir();
  const discovery = await discoverModels(modelsDir);
  const app = buildApp({ ...DEFAULT_CONFIG, modelsDir, logLevel: 'silent', numThreads: 1 }, discovery);
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
  const models: BenchModel[] = [];
  for (const model of discovery.models) {
    if (model.task !== 'tts') continue;
    const engine = await sherpa.OfflineTts.createAsync({
      model: { ...model.family.nativeModelConfig(model.files, model.capabilities), numThreads: 1, debug: 0, provider: 'cpu' },
      maxNumSentences: 1,
    });
    const { cloning } = model.capabilities;
    const policy = model.family.reference;
    models.push({
      model,
      engine,
      input: async (text) => ({
        text,
        speed: 1,
        speakerId: 0,
        controls: {},
        reference: policy ? { audio: (await prepareReferenceAudio(CLIP, policy, model.id)).audio, text: REF_TEXT } : undefined,
      }),
      body: (text, extra = {}) =>
        JSON.stringify({
          model: model.id,
          input: text,
          ...(cloning === 'none' ? {} : { ref_audio: CLIP.toString('base64') }),
          ...(cloning === 'audio+transcript' ? { ref_text: REF_TEXT } : {}),
          ...extra,
        }),
    });
  }
  return { app, base, models, close: () => app.app.close() };
}

/** Milliseconds to a response's first body bytes and to its end; a status other than 200 throws. */
export async function timedResponse(request: () => Promise<Response>): Promise<{ first: number; total: number }> {
  const t0 = performance.now();
  const response = await request();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  const reader = response.body!.getReader();
  let first = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!first && value.length > 0) first = performance.now() - t0;
  }
  return { first, total: performance.now() - t0 };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Prints rows as an aligned table. */
export function table(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  for (const row of cells) console.log(row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}
