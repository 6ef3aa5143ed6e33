/**
 * Synthesis real-time factor (processing time / audio duration, lower is faster) for each
 * fixture family, through the HTTP server and through a direct engine call, in one run.
 * Fixture models are tiny hand-set graphs: the figures measure Vocable's plumbing and the
 * engine's per-request work, not the speed of real voices.
 */
import type { AddressInfo } from 'node:net';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { decodeAudio } from '../src/audio/decode.js';
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const modelsDir = await fixtureModelsDir();
  const discovery = await discoverModels(modelsDir);
  const config = { ...DEFAULT_CONFIG, modelsDir, logLevel: 'silent' as const, numThreads: 1 };
  const { app } = buildApp(config, discovery);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  console.log(`speech synthesis RTF on fixture models, median of ${RUNS} runs (text: ${TEXT.length} chars)`);
  console.log('family     audio s   direct RTF   HTTP RTF   HTTP/direct');
  for (const model of discovery.models) {
    const family = model.family;
    const engine = await sherpa.OfflineTts.createAsync({
      model: { ...family.nativeModelConfig(model.files), numThreads: 1, debug: 0, provider: 'cpu' },
      maxNumSentences: 1,
    });
    const cloning = model.capabilities.cloning;
    const reference = family.reference ? { audio: await prepareReferenceAudio(CLIP, family.reference, model.id), text: REF_TEXT } : undefined;
    const input: SynthesisInput = { text: TEXT, speed: 1, speakerId: 0, reference };
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
      const wav = await decodeAudio(new Uint8Array(await response.arrayBuffer()));
      const httpMs = performance.now() - t0 - 0;
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      if (i === 0) continue; // warm-up: the server loads the model on first use
      direct.push(directMs / 1000 / seconds);
      http.push(httpMs / 1000 / (wav.samples.length / wav.sampleRate));
    }
    const d = median(direct);
    const h = median(http);
    console.log(`${model.id.padEnd(10)} ${seconds.toFixed(2).padStart(7)} ${d.toFixed(4).padStart(12)} ${h.toFixed(4).padStart(10)} ${(h / d).toFixed(2).padStart(13)}`);
  }
  await app.close();
}

await main();
