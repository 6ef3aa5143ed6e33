/**
 * Two replicas behind HAProxy sharing one PostgreSQL voice store, all real processes on loopback,
 * started as the reference setup starts them (deploy/replicas/cluster.ts, fixture models): a voice
 * saved through one is spoken through the other, deleted through one is gone on the other, racing
 * creates give one 201 and one 409, a database restart gives 503s and then recovers, a replica
 * drains on SIGTERM without losing a request, a replica killed mid-stream is routed around, and
 * a live WebSocket session passes through the balancer.
 * Nothing is left in the database or the replicas' data folders.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket } from 'ws';
import { startBalancer, startReplica, waitForState, type Balancer, type Replica, type ReplicaOptions } from '../deploy/replicas/cluster.js';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { base64, sharedClip } from './helpers/audio.js';
import { freePort, testDatabase, type TestDatabase } from './helpers/postgres.js';

const CLIP = base64(sharedClip('spk1_snt1.wav'));
/** Long enough that its stream is still running when a replica is stopped under it. */
const LONG = Array.from({ length: 300 }, (_, i) => `Sentence number ${i + 1} is spoken in order.`).join(' ');
const PRESET = { model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'wav' };
const LONG_STREAM = { model: 'kokoro', input: LONG, voice: 'af_heart', response_format: 'pcm', stream_format: 'audio' };
const withVoice = (voice: string) => ({ model: 'pocket', input: 'Hello there.', voice, seed: 3, response_format: 'wav' });

let database: TestDatabase;
let dir: string;
let replicas: Record<'a' | 'b', Replica>;
let options: Record<'a' | 'b', ReplicaOptions>;
let balancer: Balancer;

const post = (base: string, path: string, body: unknown) => fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const saveVoice = (base: string, name: string) => post(base, '/v1/voices', { name, audio: CLIP, transcript: 'The birch canoe slid on the smooth planks.' });
const speak = async (base: string, body: unknown) => {
  const response = await post(base, '/v1/audio/speech', body);
  return { status: response.status, replica: response.headers.get('x-vocable-replica'), body: Buffer.from(await response.arrayBuffer()) };
};
/**
 * A request through the balancer as OpenAI's SDKs send one: a connection that fails before any
 * answer (a keep-alive connection closed as it was reused) is tried once more, on a new one. An
 * answer, whatever its status, is what the balancer decided, and is returned as it came.
 */
const speakThroughBalancer = async (body: unknown) => {
  try {
    return await speak(balancer.url, body);
  } catch (error) {
    console.log(`# the balancer's connection failed before an answer (${String((error as Error).cause ?? error)}); trying once more`);
    return speak(balancer.url, body);
  }
};
const errorCode = (body: Buffer) => (JSON.parse(body.toString()) as { error: { code: string; message: string } }).error;

before(async () => {
  database = await testDatabase({ ownCluster: true });
  dir = await mkdtemp(join(tmpdir(), 'vocable-replicas-'));
  const modelsDir = await fixtureModelsDir();
  const common = { modelsDir, voiceStore: database.url, drainSeconds: 3, args: ['--max-input-chars', String(LONG.length)] };
  options = {
    a: { ...common, name: 'a', port: await freePort(), dataDir: await mkdtemp(join(dir, 'data-a-')) },
    b: { ...common, name: 'b', port: await freePort(), dataDir: await mkdtemp(join(dir, 'data-b-')) },
  };
  const [a, b] = await Promise.all([startReplica(options.a), startReplica(options.b)]);
  replicas = { a, b };
  balancer = await startBalancer({ port: await freePort(), statsPort: await freePort(), replicas: [a, b], dir });
});

after(async () => {
  await balancer?.stop();
  await Promise.all(Object.values(replicas ?? {}).map((r) => r.terminate()));
  try {
    assert.equal(await database.voiceRows(), 0, 'no voice rows left');
    for (const replica of Object.values(options)) assert.deepEqual(await readdir(replica.dataDir), [], `nothing in ${replica.name}'s data folder`);
  } finally {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a voice saved through replica A is spoken through replica B, as A speaks it', async () => {
  assert.equal((await saveVoice(replicas.a.url, 'shared-voice')).status, 201);
  const fromB = await speak(replicas.b.url, withVoice('shared-voice'));
  assert.equal(fromB.status, 200, fromB.body.toString());
  const fromA = await speak(replicas.a.url, withVoice('shared-voice'));
  assert.ok(fromB.body.equals(fromA.body), 'the same clip behind the voice on both');
  assert.equal((await fetch(`${replicas.b.url}/v1/voices/shared-voice`)).status, 200);
  assert.equal((await fetch(`${replicas.b.url}/v1/voices/shared-voice`, { method: 'DELETE' })).status, 200);
});

test('a voice deleted through B is gone on A, though A had its clip cached', async () => {
  assert.equal((await saveVoice(replicas.a.url, 'short-lived')).status, 201);
  assert.equal((await speak(replicas.a.url, withVoice('short-lived'))).status, 200);
  assert.equal((await fetch(`${replicas.b.url}/v1/voices/short-lived`, { method: 'DELETE' })).status, 200);
  assert.equal((await fetch(`${replicas.a.url}/v1/voices/short-lived`)).status, 404);
  const spoken = await speak(replicas.a.url, withVoice('short-lived'));
  assert.equal(spoken.status, 400, 'not spoken with the deleted voice');
  assert.doesNotMatch(JSON.stringify((await (await fetch(`${replicas.a.url}/v1/voices`)).json()) as object), /short-lived/);
});

test('two replicas racing to create one voice name: one 201, one 409', async () => {
  for (let round = 0; round < 4; round += 1) {
    const name = `race-${round}`;
    const answers = await Promise.all([saveVoice(replicas.a.url, name), saveVoice(replicas.b.url, name)]);
    assert.deepEqual(answers.map((r) => r.status).sort(), [201, 409], `round ${round}`);
    const loser = answers.find((r) => r.status === 409)!;
    assert.equal(errorCode(Buffer.from(await loser.arrayBuffer())).code, 'voice_exists');
    assert.equal((await fetch(`${replicas.a.url}/v1/voices/${name}`, { method: 'DELETE' })).status, 200);
  }
});

test('the database restarted mid-run: saved voices answer 503 meanwhile, the rest keeps working, both replicas recover', async () => {
  assert.equal((await saveVoice(balancer.url, 'survivor')).status, 201);
  await database.cluster!.stop();
  try {
    const saved = await speak(balancer.url, withVoice('survivor'));
    assert.equal(saved.status, 503);
    const error = errorCode(saved.body);
    assert.equal(error.code, 'voice_store_unavailable');
    assert.match(error.message, /voice store \(PostgreSQL\) cannot be reached/);
    assert.equal((await speak(balancer.url, PRESET)).status, 200, 'preset voices need no database');
    const ready = (await (await fetch(`${replicas.a.url}/ready`)).json()) as { status: string; voice_store: { status: string } };
    assert.equal(ready.status, 'ready', 'still ready: the balancer keeps the replica');
    assert.equal(ready.voice_store.status, 'unavailable');
  } finally {
    await database.cluster!.start();
  }
  for (const replica of [replicas.a, replicas.b]) {
    let answer = await speak(replica.url, withVoice('survivor'));
    for (let i = 0; answer.status === 503 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await speak(replica.url, withVoice('survivor'));
    }
    assert.equal(answer.status, 200, `${replica.name} recovered: ${answer.body.toString().slice(0, 300)}`);
  }
  assert.equal((await fetch(`${balancer.url}/v1/voices/survivor`, { method: 'DELETE' })).status, 200);
});

test('a live WebSocket session passes through HAProxy and speaks a voice saved through a replica', async () => {
  assert.equal((await saveVoice(replicas.a.url, 'live-voice')).status, 201);
  const socket = new WebSocket(`${balancer.url.replace('http', 'ws')}/v1/text-to-speech/live-voice/stream-input?output_format=pcm_24000`);
  const audio: Buffer[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { audio: string | null };
    if (message.audio) audio.push(Buffer.from(message.audio, 'base64'));
  });
  const closed = once(socket, 'close');
  // 'open' follows 'upgrade' in the same tick: both are listened for before either is awaited.
  const upgraded = once(socket, 'upgrade');
  await once(socket, 'open');
  const [upgrade] = (await upgraded) as [{ headers: Record<string, string> }];
  assert.match(upgrade.headers['x-vocable-replica'] ?? '', /^[ab]$/, 'answered by a replica behind HAProxy');
  for (const text of [' ', 'Spoken live, ', 'in a saved voice.', '']) socket.send(JSON.stringify({ text }));
  const [code] = (await closed) as [number];
  assert.equal(code, 1000);
  assert.ok(Buffer.concat(audio).length > 0, 'audio came back through the balancer');
  assert.equal((await fetch(`${replicas.b.url}/v1/voices/live-voice`, { method: 'DELETE' })).status, 200);
});

/** Starts the long stream through the balancer; resolves once its first audio arrived, with the replica serving it and the rest of the body to come. */
async function startLongStream(): Promise<{ replica: 'a' | 'b'; rest: Promise<number> }> {
  const response = await post(balancer.url, '/v1/audio/speech', LONG_STREAM);
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const first = await reader.read();
  const rest = (async () => {
    let bytes = first.value?.byteLength ?? 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return bytes;
      bytes += value.byteLength;
    }
  })();
  rest.catch(() => undefined);
  return { replica: response.headers.get('x-vocable-replica') as 'a' | 'b', rest };
}

test('SIGTERM: the replica drains (its stream finishes whole, HAProxy sends new requests to the other, none fails), then exits 0', async () => {
  const whole = (await speak(replicas.a.url, LONG_STREAM)).body.byteLength;
  const stream = await startLongStream();
  const leaving = replicas[stream.replica];
  const staying = stream.replica === 'a' ? 'b' : 'a';
  const exit = leaving.terminate();
  let exited = false;
  void exit.then(() => (exited = true));
  let ready = await fetch(`${leaving.url}/ready`);
  for (let i = 0; ready.status === 200 && i < 100; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    ready = await fetch(`${leaving.url}/ready`);
  }
  assert.equal(ready.status, 503);
  assert.equal(((await ready.json()) as { error: { code: string } }).error.code, 'draining');
  const served: string[] = [];
  while (!exited) {
    // Three at once, so that some would land on the leaving replica if HAProxy still chose it.
    for (const answer of await Promise.all([1, 2, 3].map(() => speakThroughBalancer(PRESET)))) {
      assert.equal(answer.status, 200, `no request lost while ${leaving.name} drains: ${answer.body.toString().slice(0, 300)}`);
      served.push(answer.replica!);
    }
  }
  assert.equal(await exit, 0);
  assert.equal(await stream.rest, whole, 'the stream in flight got all its audio');
  assert.equal(served.at(-1), staying, 'new requests went to the other replica');
  await waitForState(balancer, leaving.name, 'DOWN');
  replicas[stream.replica] = await startReplica(options[stream.replica]);
  await waitForState(balancer, leaving.name, 'UP');
});

test('a replica killed mid-stream: its stream is cut, and HAProxy sends every new request to the other', async () => {
  const whole = (await speak(replicas.a.url, LONG_STREAM)).body.byteLength;
  const stream = await startLongStream();
  const killed = replicas[stream.replica];
  const survivor = stream.replica === 'a' ? 'b' : 'a';
  await killed.kill();
  // At once, before HAProxy's health checks notice: it still picks the dead replica for some.
  for (let i = 0; i < 4; i += 1) {
    for (const answer of await Promise.all([1, 2].map(() => speakThroughBalancer(PRESET)))) {
      assert.equal(answer.status, 200, answer.body.toString().slice(0, 300));
      assert.equal(answer.replica, survivor);
    }
  }
  const received = await stream.rest.catch(() => -1);
  assert.ok(received < whole, `the cut stream did not end as if whole (${received} of ${whole} bytes)`);
  await waitForState(balancer, killed.name, 'DOWN');
});
