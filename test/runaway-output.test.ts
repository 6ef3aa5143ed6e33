/**
 * A model that never stops (as ZipVoice can when a clip's transcript does not match it) is
 * stopped once its audio passes what the input could need, and the client gets a 400 that says
 * so. The engine here is a stand-in that makes a second of audio per progress call forever:
 * no fixture model misbehaves on purpose.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelPool } from '../src/engine/model-pool.js';
import type { NativeOfflineTts } from '../src/native/sherpa.js';
import { VocableError } from '../src/errors.js';
import { generateSpeech } from '../src/speech/generate-speech.js';
import type { SpeechPlan } from '../src/speech/plan-speech.js';

const RATE = 1000;

function endlessEngine(progressCalls: { count: number }): NativeOfflineTts {
  return {
    sampleRate: RATE,
    numSpeakers: 1,
    async generateAsync(request: { onProgress?: (chunk: { samples: Float32Array }) => number }) {
      // Like the engine: keep making audio until the callback returns 0.
      while (request.onProgress!({ samples: new Float32Array(RATE).fill(0.1) }) !== 0) progressCalls.count += 1;
      return { samples: new Float32Array(0), sampleRate: RATE };
    },
  } as unknown as NativeOfflineTts;
}

test('a model that runs away is stopped at 30 s + 1 s per input character, with a 400 saying so', async () => {
  const progressCalls = { count: 0 };
  const pool = { runTts: (_id: string, job: (engine: NativeOfflineTts) => Promise<void>) => job(endlessEngine(progressCalls)) } as unknown as ModelPool;
  const plan = {
    model: { id: 'endless', capabilities: { speed: 'native' }, family: { chunkGapSeconds: 0, generateRequest: (input: object) => input } },
    settings: { speed: 1 },
    chunks: ['Hello there.', 'And again.'],
    inputChars: 22,
    outputRate: RATE,
  } as unknown as SpeechPlan;
  let seconds = 0;
  const failure = await (async () => {
    for await (const samples of generateSpeech(plan, pool, new AbortController().signal)) seconds += samples.length / RATE;
  })().then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(failure instanceof VocableError, `stopped with an API error, not left running (got ${String(failure)})`);
  assert.equal(failure.status, 400);
  assert.equal(failure.code, 'output_too_long');
  assert.match(failure.message, /made over 52 s of audio for 22 characters and was stopped\. With cloning, check that ref_text is what the clip says/);
  assert.ok(seconds <= 53, `no more than the bound reached the client (${seconds} s)`);
  assert.ok(progressCalls.count <= 53, 'the engine was told to stop at the bound');
});
