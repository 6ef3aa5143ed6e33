/**
 * Seeded fuzzing of the server's edges, over a real socket with an API key set: request targets
 * written every way a router may read differently, hostile headers, slow and partial requests,
 * and a connection flood from loopback. Whatever arrives: no 5xx, no protected route answers
 * 2xx (or switches protocols) without the key, /health answers throughout, the process stays
 * up, and nothing is left on disk.
 *
 * FUZZ_SEED=n runs another seed, FUZZ_SEED=random a fresh one; FUZZ_CASE=category#i replays one
 * case and prints it; FUZZ_SCALE=k runs k times as many target and header cases.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { testApp } from './helpers/app.js';
import { exchange, type Exchange } from './helpers/raw-http.js';
import { headerCase, slowCase, targetCase, type EdgeCase, type EdgeContext, type RouteEntry, type SlowCase } from './fuzz/edge-cases.js';
import { caseSeed, Rng } from './fuzz/rng.js';

const DEFAULT_SEED = 20261130;
const SEED = process.env.FUZZ_SEED === 'random' ? randomInt(2 ** 31) : process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : DEFAULT_SEED;
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const ONLY = process.env.FUZZ_CASE;
const KEY = 'sk-edge-fuzz-key-0123456789';
/** Short deadlines on the app, so slow cases end in about a second. */
const LIMITS = { requestTimeoutSeconds: 1, headersTimeoutSeconds: 1, keepAliveTimeoutSeconds: 0.5, maxConnections: 64, maxConnectionsPerAddress: 16 };
/** Far above any deadline the server keeps: a case still unanswered past this is a hang. */
const CASE_TIMEOUT_MS = 6000;
const CONCURRENCY = 8;
const SLOW_CONCURRENCY = 30;
const FLOOD_ADDRESSES = ['127.0.3.1', '127.0.3.2', '127.0.3.3'];
const FLOOD_PER_ADDRESS = 100;
const PROBE_ADDRESS = '127.0.0.9';

const CATEGORIES = {
  targets: { count: Math.round(3000 * SCALE), make: targetCase },
  headers: { count: Math.round(2000 * SCALE), make: headerCase },
  slow: { count: 150, make: slowCase },
} as const;

interface Failure {
  id: string;
  description: string;
  problem: string;
}

/** What the server decided for each request it routed, by request id: whether the route that matched is public. */
const routed = new Map<string, { public: boolean; url: string }>();
const statuses = new Map<string, number>();
const failures: Failure[] = [];
let cases = 0;
let fiveXx = 0;
let maxHeld = 0;
let floodHeld = 0;

const replay = (id: string) => `FUZZ_SEED=${SEED} FUZZ_CASE=${id} node --import tsx --test test/fuzz-edges.test.ts`;

/** Every file under `dir` with its size: the disk as the run found it. */
async function snapshot(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(`${relative(root, path)}/`, ...(await snapshot(path, root)));
    else out.push(`${relative(root, path)} ${(await stat(path)).size}`);
  }
  return out.sort();
}

/** What is wrong with an error body, measured against OpenAI's `{"error":{"message","type","param","code"}}`, or undefined. */
function errorShapeProblem(body: string): string | undefined {
  let error: Record<string, unknown> | undefined;
  try {
    error = (JSON.parse(body) as { error?: Record<string, unknown> }).error;
  } catch {
    return `body is not JSON: ${JSON.stringify(body.slice(0, 200))}`;
  }
  if (!error || Object.keys(error).sort().join(',') !== 'code,message,param,type') return `body is not an OpenAI error: ${body.slice(0, 200)}`;
  if (typeof error.message !== 'string' || error.message.length === 0) return 'error without a message';
  return undefined;
}

function judge(id: string, fuzzCase: EdgeCase, result: Exchange): void {
  const label = String(result.status);
  statuses.set(label, (statuses.get(label) ?? 0) + 1);
  cases += 1;
  const fail = (problem: string): void => {
    failures.push({ id, description: fuzzCase.description, problem });
  };
  if (result.status === 'timeout') return fail(`no answer and the connection still open after ${CASE_TIMEOUT_MS} ms`);
  if (typeof result.status !== 'number') return;
  if (result.status >= 500) {
    fiveXx += 1;
    return fail(`${result.status}: ${result.body.toString('latin1').slice(0, 300)}`);
  }
  const method = fuzzCase.bytes.subarray(0, 8).toString('latin1').split(' ')[0];
  // An error the app answered (it has a request id) is in the API's shape; HEAD has no body, and OPTIONS is the CORS plugin's.
  if (result.status >= 400 && result.headers['x-request-id'] && method !== 'HEAD' && method !== 'OPTIONS') {
    const problem = errorShapeProblem(result.body.toString('utf8'));
    if (problem) return fail(`${result.status} ${problem}`);
  }
  const opened = (result.status >= 200 && result.status < 300) || result.status === 101;
  if (!opened || fuzzCase.carriesKey) return;
  const route = routed.get(result.headers['x-request-id'] ?? '');
  if (!route) return fail(`${result.status} without the key, from no route the app recorded`);
  if (!route.public) fail(`${result.status} without the key from protected route ${route.url}`);
}

async function runPool<T>(items: readonly T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

/** The rest of a slow case: a byte at a time until the server closes, nothing more, or a hang-up. */
function slowTail(fuzzCase: SlowCase): (socket: Socket) => void {
  return (socket) => {
    const { tail } = fuzzCase;
    if (tail.kind === 'stall') return;
    if (tail.kind === 'hang-up') {
      setTimeout(() => socket.destroy(), tail.afterMs);
      return;
    }
    let at = 0;
    const timer = setInterval(() => {
      if (at >= tail.bytes.length || socket.destroyed) return clearInterval(timer);
      socket.write(tail.bytes.subarray(at, ++at));
    }, tail.everyMs);
    socket.once('close', () => clearInterval(timer));
  };
}

describe(`edge fuzz (seed ${SEED})`, () => {
  let app: FastifyInstance;
  let port: number;
  let context: EdgeContext;
  let root: string;
  let dataDir: string;
  let modelsDir: string;
  let privateTmp: string;
  let before_: { data: string[]; models: string[] };
  let sampler: NodeJS.Timeout;
  let probing = true;
  let probe: Promise<void>;
  const probeFailures: string[] = [];
  let probes = 0;
  const started = performance.now();

  before(async () => {
    modelsDir = await fixtureModelsDir();
    root = await mkdtemp(join(tmpdir(), 'vocable-edgefuzz-'));
    dataDir = join(root, 'data');
    privateTmp = join(root, 'tmp');
    await mkdir(dataDir);
    await mkdir(privateTmp);
    // Anything the server writes to the temporary folder lands here, where the end of the run can see it.
    process.env.TMPDIR = privateTmp;
    ({ app } = await testApp(modelsDir, { apiKey: KEY, dataDir, offline: true, corsOrigins: ['https://allowed.example'], ...LIMITS }));
    const routes: RouteEntry[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD' && route.url !== '*') routes.push({ method, url: route.url, public: route.config?.public === true });
    });
    app.addHook('onSend', async (request) => {
      routed.set(request.id, { public: !request.is404 && request.routeOptions.config.public === true, url: request.routeOptions.url ?? '(none)' });
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
    context = { routes, port, key: KEY, allowedOrigin: 'https://allowed.example' };
    before_ = { data: await snapshot(dataDir), models: await snapshot(modelsDir) };
    sampler = setInterval(() => app.server.getConnections((error, count) => (maxHeld = error ? maxHeld : Math.max(maxHeld, count))), 20);
    probe = (async () => {
      const request = Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      while (probing) {
        const result = await exchange(port, request, { localAddress: PROBE_ADDRESS, timeoutMs: 5000 });
        probes += 1;
        if (result.status !== 200) probeFailures.push(`/health answered ${result.status} after ${Math.round(performance.now() - started)} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  });

  after(async () => {
    probing = false;
    await probe;
    clearInterval(sampler);
    await app?.close();
    await rm(root, { recursive: true, force: true });
    const counts = [...statuses].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}:${n}`).join(' ');
    console.log(`edge fuzz seed=${SEED}: ${cases} cases; statuses ${counts}; max connections held ${maxHeld} (flood held ${floodHeld}); 5xx ${fiveXx}; /health ${probes - probeFailures.length}/${probes}; failures ${failures.length}; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  test('the route table has the API routes', () => {
    assert.ok(context.routes.some((r) => r.url === '/v1/audio/speech'));
    assert.ok(context.routes.filter((r) => !r.public).length >= 15, `${context.routes.length} routes`);
  });

  for (const name of ['targets', 'headers'] as const) {
    test(`${name}: no 5xx, errors in the API shape, no protected route opened without the key`, async () => {
      const { count, make } = CATEGORIES[name];
      const indices = Array.from({ length: count }, (_, i) => i).filter((i) => !ONLY || ONLY === `${name}#${i}`);
      const before = failures.length;
      await runPool(indices, CONCURRENCY, async (i) => {
        const id = `${name}#${i}`;
        const fuzzCase = make(new Rng(caseSeed(SEED, name, i)), context);
        if (ONLY) console.log(id, fuzzCase.description, JSON.stringify(fuzzCase.bytes.toString('latin1').slice(0, 2000)));
        const result = await exchange(port, fuzzCase.bytes, { timeoutMs: CASE_TIMEOUT_MS });
        if (ONLY) console.log(result.status, result.headers, result.body.toString('latin1').slice(0, 500));
        judge(id, fuzzCase, result);
      });
      const mine = failures.slice(before);
      assert.equal(mine.length, 0, mine.slice(0, 15).map((f) => `${f.id} ${f.description}: ${f.problem}\n  replay: ${replay(f.id)}`).join('\n'));
    });
  }

  test('slow and partial requests are cut at the deadline, none held', async () => {
    const { count, make } = CATEGORIES.slow;
    const indices = Array.from({ length: count }, (_, i) => i).filter((i) => !ONLY || ONLY === `slow#${i}`);
    const before = failures.length;
    await runPool(indices, SLOW_CONCURRENCY, async (i) => {
      const id = `slow#${i}`;
      const fuzzCase = make(new Rng(caseSeed(SEED, 'slow', i)), context);
      if (ONLY) console.log(id, fuzzCase.description);
      // Spread over ten addresses so the per-address cap is not what cuts them.
      const result = await exchange(port, fuzzCase.bytes, { timeoutMs: CASE_TIMEOUT_MS, localAddress: `127.0.2.${(i % 10) + 1}`, then: slowTail(fuzzCase) });
      judge(id, fuzzCase, result);
    });
    const mine = failures.slice(before);
    assert.equal(mine.length, 0, mine.slice(0, 15).map((f) => `${f.id} ${f.description}: ${f.problem}\n  replay: ${replay(f.id)}`).join('\n'));
  });

  test('a flood of connections from loopback: each address holds at most its cap', { skip: Boolean(ONLY) }, async () => {
    const flood = FLOOD_ADDRESSES.flatMap((address) => Array.from({ length: FLOOD_PER_ADDRESS }, (_, i) => ({ address, i })));
    // With the key, so the server waits for the body (a request without it is refused before its body).
    const withKey = Buffer.from(`POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000\r\n\r\n--b`);
    const unfinishedHeaders = Buffer.from(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    let heldDuringFlood = 0;
    const sample = setInterval(() => app.server.getConnections((error, count) => {
      if (error) return;
      heldDuringFlood = Math.max(heldDuringFlood, count);
      maxHeld = Math.max(maxHeld, count);
    }), 10);
    const results = flood.map(({ address, i }) => exchange(port, i % 2 ? withKey : unfinishedHeaders, { localAddress: address, timeoutMs: CASE_TIMEOUT_MS }));
    // The deadline (1 s) cuts them all; until then the caps are what bounds them.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const health = await exchange(port, Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`), { localAddress: PROBE_ADDRESS, timeoutMs: 5000 });
    const outcomes = await Promise.all(results);
    clearInterval(sample);
    floodHeld = heldDuringFlood;
    for (const result of outcomes) {
      const label = `flood-${result.status}`;
      statuses.set(label, (statuses.get(label) ?? 0) + 1);
      cases += 1;
      if (typeof result.status === 'number' && result.status >= 500) fiveXx += 1;
    }
    // The probe's own connection and the final /health are the only others open.
    assert.ok(heldDuringFlood <= FLOOD_ADDRESSES.length * LIMITS.maxConnectionsPerAddress + 2, `the server held ${heldDuringFlood} connections during the flood (cap ${LIMITS.maxConnectionsPerAddress} per address)`);
    assert.ok(heldDuringFlood >= LIMITS.maxConnectionsPerAddress, `the flood never held ${LIMITS.maxConnectionsPerAddress} connections: it tested nothing`);
    assert.ok(maxHeld <= LIMITS.maxConnections, `the server held ${maxHeld} connections at once (cap ${LIMITS.maxConnections})`);
    assert.equal(health.status, 200, '/health did not answer during the flood');
    assert.ok(outcomes.every((r) => r.status !== 'timeout'), 'a flood connection outlived the deadline');
    assert.ok(outcomes.every((r) => typeof r.status !== 'number' || r.status < 500), 'a flood connection was answered 5xx: the caps should refuse connections before the server is overloaded');
  });

  test('/health answered throughout, and nothing was left on disk', { skip: Boolean(ONLY) }, async () => {
    assert.deepEqual(probeFailures, []);
    assert.ok(probes > 0);
    const health = await exchange(port, Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`), { timeoutMs: 5000 });
    assert.equal(health.status, 200);
    assert.deepEqual(await snapshot(dataDir), before_.data, 'the data folder changed');
    assert.deepEqual(await snapshot(modelsDir), before_.models, 'the models folder changed');
    assert.deepEqual(await readdir(privateTmp), [], 'files were left in the temporary folder');
    assert.ok(cases >= 5000 * Math.min(SCALE, 1), `only ${cases} cases ran`);
  });
});
