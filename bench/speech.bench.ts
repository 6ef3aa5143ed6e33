/**
 * Synthesis real-time factor (processing time / audio duration, lower is faster) for each
 * fixture family, through the HTTP server and through a direct engine call, in one run.
 * Fixture models are tiny hand-set graphs: the figures measure Vocable's plumbing and the
 * engine's per-request work, not the speed of real voices.
 */
import type { AddressInfo } from 'node:net';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { DEFAULT_CONFIG } from '../src/config.js';
import { discoverModels } from '../src/engine/discovery.js';
import type { SynthesisInput } from '../src/engine/family.js';
import { sherpa } from '../src/engine/sherpa.js';
import { buildApp } from '../src/server/app.js';
import { prepareReferenceAudio } from '../src/speech/reference-audio.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TEXT = 'The quick brown fox jumps over the lazy dog. Vocable speaks this sentence for the benchmark, twice as long as the first.';
const CLIP = readFileSync(join(import.meta.dirname, '..', '..', 'shared', 'audio', 'spk1_snt1.wav'));
const REF_TEXT = 'The words of the reference clip.';

const WAV_HEADER_BYTES = 44;
const COLUMNS = ['family', 'audio s', 'direct ms', 'HTTP ms', 'direct RTF', 'HTTP RTF', 'HTTP/direct'];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const modelsDir = await fixtureModelsDir();
  const discovery = await discoverModels(modelsDir);
  const config = { ...DEFAULT_CONFIG, modelsDir, logLevel: 'silent' as const, numThreads: 1 };
  const { app } = buildApp(config, discovery);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  console.log(`speech synthesis RTF on fixture models, median of ${RUNS} runs (text: ${TEXT.length} chars)`);
  console.log('family    ' + COLUMNS.slice(1).map((c) => ` ${c}`).join(''));
  for (const model of discovery.models) {
    const family = model.family;
    const engine = await sherpa.OfflineTts.createAsync({
      model: { ...family.nativeModelConfig(model.files, model.capabilities), numThreads: 1, debug: 0, provider: 'cpu' },
      maxNumSentences: 1,
    });
    // The direct call gets the clip already prepared; the HTTP path decodes, resamples and trims it per request.
    const cloning = model.capabilities.cloning;
    const reference = family.reference ? { audio: await prepareReferenceAudio(CLIP, family.reference, model.id), text: REF_TEXT } : undefined;
    const input: SynthesisInput = { text: TEXT, speed: 1, speakerId: 0, reference, controls: {} };
    const body = JSON.stringify({
      model: model.id,
      input: TEXT,
      ...(cloning === 'none' ? {} : { ref_audio: CLIP.toString('base64') }),
      ...(cloning === 'audio+transcript' ? { ref_text: REF_TEXT } : {}),
    });

    const direct: number[] = [];
    const http: number[] = [];
    let seconds = 0;
    for (let i = 0; i < RUNS + 1; i += 1) {
      let t0 = performance.now();
      const audio = await engine.generateAsync(family.generateRequest(input));
      const directMs = performance.now() - t0;
      seconds = audio.samples.length / audio.sampleRate;

      t0 = performance.now();
      const response = await fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const wav = Buffer.from(await response.arrayBuffer());
      const httpMs = performance.now() - t0;
      if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${wav.toString()}`);
      if (i === 0) continue; // warm-up: the server loads the model on first use
      const httpSeconds = (wav.length - WAV_HEADER_BYTES) / 2 / Number(response.headers.get('x-sample-rate'));
      direct.push(directMs);
      http.push(httpMs);
      if (Math.abs(httpSeconds - seconds) > 0.01) throw new Error(`HTTP gave ${httpSeconds} s, direct ${seconds} s`);
    }
    const d = median(direct);
    const h = median(http);
    const cells = [seconds.toFixed(2), d.toFixed(1), h.toFixed(1), (d / 1000 / seconds).toFixed(4), (h / 1000 / seconds).toFixed(4), (h / d).toFixed(2)];
    console.log(model.id.padEnd(10) + cells.map((c, i) => c.padStart(COLUMNS[i + 1]!.length + 1)).join(''));
  }
  await app.close();
}

await main();
