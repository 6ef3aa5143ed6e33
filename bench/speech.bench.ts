/**
 * Synthesis real-time factor (processing time / audio duration, lower is faster) for each
 * fixture family, through the HTTP server and through a direct engine call, in one run.
 * Fixture models are tiny hand-set graphs: the figures measure Vocable's plumbing and the
 * engine's per-request work, not the speed of real voices.
 */
import { percentile, startBench, table } from './harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TEXT = 'The quick brown fox jumps over the lazy dog. Vocable speaks this sentence for the benchmark, twice as long as the first.';
const WAV_HEADER_BYTES = 44;

const bench = await startBench();
console.log(`\nSynthesis RTF on fixture models, median of ${RUNS} runs (${TEXT.length}-character text, wav)`);
const rows: (string | number)[][] = [];
for (const { model, engine, input, body } of bench.models) {
  const request = model.family.generateRequest(await input(TEXT));
  const direct: number[] = [];
  const http: number[] = [];
  let seconds = 0;
  let httpSeconds = 0;
  for (let i = 0; i < RUNS + 1; i += 1) {
    let t0 = performance.now();
    const audio = await engine.generateAsync(request);
    const directMs = performance.now() - t0;
    seconds = audio.samples.length / audio.sampleRate;

    t0 = performance.now();
    const response = await fetch(`${bench.base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(TEXT, { response_format: 'wav', seed: model.capabilities.controls.seed ? 1 : undefined }) });
    const wav = Buffer.from(await response.arrayBuffer());
    const httpMs = performance.now() - t0;
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${wav.toString()}`);
    if (i === 0) continue; // warm-up: the server loads the model on first use
    httpSeconds = (wav.length - WAV_HEADER_BYTES) / 2 / Number(response.headers.get('x-sample-rate'));
    direct.push(directMs);
    http.push(httpMs);
  }
  const d = percentile(direct, 50);
  const h = percentile(http, 50);
  const directRtf = d / 1000 / seconds;
  const httpRtf = h / 1000 / httpSeconds;
  rows.push([model.id, seconds.toFixed(2), httpSeconds.toFixed(2), d.toFixed(1), h.toFixed(1), directRtf.toFixed(4), httpRtf.toFixed(4), (httpRtf / directRtf).toFixed(2)]);
}
// The server splits text into sentences and joins them with a short silence, so its audio can be a little longer.
table(['family', 'direct audio s', 'HTTP audio s', 'direct ms', 'HTTP ms', 'direct RTF', 'HTTP RTF', 'HTTP/direct RTF'], rows);
await bench.close();
