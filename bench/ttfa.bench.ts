/**
 * Time to first audio (TTFA) for streaming speech on fixture models: through HTTP (first body
 * bytes of a streamed pcm response) and through a direct engine call (first progress callback),
 * p50 and p95 over repeated requests; then, for a 1000-character input, TTFA against the time
 * the whole synthesis takes. Fixture models make tones, not speech: the figures show how soon
 * Vocable's pipeline lets audio out, not how fast a real voice is.
 */
import { percentile, startBench, table, timedResponse } from './harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SHORT = 'Streaming lets the listener hear this first sentence early. The second sentence is made while the first one plays.';
const LONG = Array.from({ length: 30 }, (_, i) => `Sentence ${i + 1} of the long input, spoken in order.`).join(' ').slice(0, 1000);

const httpFirstAudio = (base: string, body: string) =>
  timedResponse(() => fetch(`${base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }));

async function directFirstAudio(run: (onFirst: () => void) => Promise<unknown>): Promise<{ first: number; total: number }> {
  const t0 = performance.now();
  let first = 0;
  await run(() => {
    if (!first) first = performance.now() - t0;
  });
  return { first, total: performance.now() - t0 };
}

const bench = await startBench();
console.log(`\nTime to first audio, streamed pcm, ${RUNS} runs (${SHORT.length}-character text), ms`);
const rows: (string | number)[][] = [];
const long: (string | number)[][] = [];
for (const { model, engine, input, body } of bench.models) {
  const extra = { response_format: 'pcm', stream_format: 'audio' };
  const request = model.family.generateRequest(await input(SHORT));
  const direct = (req: typeof request) => directFirstAudio((onFirst) => engine.generateAsync({ ...req, onProgress: () => (onFirst(), 1) }));
  await httpFirstAudio(bench.base, body(SHORT, extra)); // warm-up: loads the model in the server
  const http: number[] = [];
  const native: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    http.push((await httpFirstAudio(bench.base, body(SHORT, extra))).first);
    native.push((await direct(request)).first);
  }
  rows.push([model.id, percentile(native, 50).toFixed(1), percentile(native, 95).toFixed(1), percentile(http, 50).toFixed(1), percentile(http, 95).toFixed(1)]);

  const streamed = await httpFirstAudio(bench.base, body(LONG, extra));
  const whole = await httpFirstAudio(bench.base, body(LONG, { response_format: 'pcm' }));
  const directLong = await direct(model.family.generateRequest(await input(LONG)));
  long.push([model.id, directLong.first.toFixed(1), directLong.total.toFixed(1), streamed.first.toFixed(1), whole.total.toFixed(1), (streamed.first / whole.total).toFixed(3)]);
}
table(['family', 'direct p50', 'direct p95', 'HTTP p50', 'HTTP p95'], rows);
console.log(`\n${LONG.length}-character input: streamed TTFA against the whole synthesis, ms`);
table(['family', 'direct TTFA', 'direct total', 'HTTP TTFA', 'HTTP total (unstreamed)', 'TTFA/total'], long);
await bench.close();
