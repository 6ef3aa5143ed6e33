/**
 * A whole (unstreamed) speech response is encoded in the audio worker pool: it must carry every
 * sample the engine made, exactly as the streamed response does.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { testApp } from './helpers/app.js';

let app: FastifyInstance;
before(async () => ({ app } = await testApp(await fixtureModelsDir())));
after(() => app.close());

const speech = (extra: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/v1/audio/speech', payload: { model: 'kokoro', voice: 'af_heart', input: 'One sentence. And then another one, a little longer.', ...extra } });

test('a whole WAV holds the same samples as the streamed PCM', async () => {
  const streamed = await speech({ response_format: 'pcm', stream: true });
  const whole = await speech({ response_format: 'wav', stream: false });
  assert.equal(streamed.statusCode, 200);
  assert.equal(whole.statusCode, 200);
  const wav = whole.rawPayload;
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(40), wav.length - 44, 'the data chunk size is the bytes sent');
  assert.ok(streamed.rawPayload.length > 0);
  assert.deepEqual(wav.subarray(44), streamed.rawPayload);
});

test('every format comes back whole from the workers, one request after another and at once', async () => {
  const formats = ['wav', 'flac', 'mp3', 'opus', 'pcm'];
  const answers = await Promise.all(formats.map((response_format) => speech({ response_format, stream: false })));
  for (const [i, answer] of answers.entries()) {
    assert.equal(answer.statusCode, 200, `${formats[i]}: ${answer.body.slice(0, 200)}`);
    assert.ok(answer.rawPayload.length > 1000, `${formats[i]}: ${answer.rawPayload.length} bytes`);
  }
});
