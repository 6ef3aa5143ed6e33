/**
 * The load benchmark's clients (bench/load.bench.ts): half of them ask for speech, half for
 * transcriptions, each one request after another, with a /health probe beside them. Run in a
 * process of their own so that they do not load the server's event loop nor count in its memory.
 */

/** Caps each scenario's request count as well as its time. */
export const MAX_REQUESTS = 20_000;
/** A client that got a 503 waits this long before its next request, as a polite client would. */
export const BUSY_BACKOFF_MS = 50;
export const HEALTH_EVERY_MS = 100;
/**
 * Clients start spread over this time, as independent clients do (a load generator's ramp-up),
 * not all in the same millisecond; BENCH_STAMPEDE=1 starts them together.
 */
export const RAMP_UP_MS = process.env.BENCH_STAMPEDE === '1' ? 0 : 1000;

export type Kind = 'speech' | 'transcription';

export interface Plan {
  base: string;
  clients: number;
  seconds: number;
  speechBody: string;
  upload: Uint8Array<ArrayBuffer>;
  uploadType: string;
  /** Every client asks for this kind (BENCH_ONLY), instead of half and half. */
  only?: Kind;
  /** Run the /health probe (the bench runs it in a process of its own, so that the clients' own event loop does not count in its latency). */
  probe?: boolean;
}

export interface Outcome {
  sent: number;
  answered: number;
  elapsedMs: number;
  /** Per answered request: its kind, status and latency. */
  kinds: Kind[];
  statuses: number[];
  latencies: number[];
  /** Requests that got no HTTP answer (socket errors), by message. */
  failures: string[];
  health: number[];
  healthFailures: number;
  /** CPU seconds the clients' process used (user + system), out of the machine's cores × elapsed. */
  cpuSeconds: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Clients wait as OpenAI's SDKs do: `retry-after-ms` if given, else `Retry-After` seconds;
 * BENCH_IGNORE_RETRY_AFTER=1 waits BUSY_BACKOFF_MS instead (the clients).
 */
function backOffMs(response: Response): number {
  if (process.env.BENCH_IGNORE_RETRY_AFTER === '1') return BUSY_BACKOFF_MS;
  const ms = Number(response.headers.get('retry-after-ms'));
  if (ms > 0) return ms;
  const seconds = Number(response.headers.get('retry-after'));
  return seconds > 0 ? seconds * 1000 : BUSY_BACKOFF_MS;
}

/** Runs the clients and the health probe until the time or the request cap is reached; waits for every answer. */
export async function runClients(plan: Plan): Promise<Outcome> {
  const outcome: Outcome = { sent: 0, answered: 0, elapsedMs: 0, kinds: [], statuses: [], latencies: [], failures: [], health: [], healthFailures: 0, cpuSeconds: 0 };
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const deadline = started + plan.seconds * 1000;
  const going = () => performance.now() < deadline && outcome.sent < MAX_REQUESTS;
  const requests: Record<Kind, () => Promise<Response>> = {
    speech: () => fetch(`${plan.base}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: plan.speechBody }),
    transcription: () => fetch(`${plan.base}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': plan.uploadType }, body: plan.upload }),
  };
  async function client(kind: Kind, index: number): Promise<void> {
    await sleep((RAMP_UP_MS * index) / plan.clients);
    while (going()) {
      outcome.sent += 1;
      const t0 = performance.now();
      try {
        const response = await requests[kind]();
        await response.arrayBuffer();
        outcome.answered += 1;
        outcome.kinds.push(kind);
        outcome.statuses.push(response.status);
        outcome.latencies.push(performance.now() - t0);
        // A wait past the end of the scenario is cut short: the scenario is over, not the client's turn.
        if (response.status === 503) await sleep(Math.min(backOffMs(response), deadline - performance.now()));
      } catch (error) {
        outcome.failures.push(String((error as Error).cause ?? error));
      }
    }
  }
  async function probe(): Promise<void> {
    while (going()) {
      const t0 = performance.now();
      try {
        const response = await fetch(`${plan.base}/health`);
        await response.arrayBuffer();
        if (response.status === 200) outcome.health.push(performance.now() - t0);
        else outcome.healthFailures += 1;
      } catch {
        outcome.healthFailures += 1;
      }
      await sleep(HEALTH_EVERY_MS);
    }
  }
  const kinds = Array.from({ length: plan.clients }, (_, i): Kind => plan.only ?? (i % 2 === 0 ? 'speech' : 'transcription'));
  await Promise.all([...kinds.map((kind, index) => client(kind, index)), ...(plan.probe === false ? [] : [probe()])]);
  outcome.elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  outcome.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return outcome;
}

// Run as the bench's clients' process: the plan comes from the parent, the outcome goes back.
if (process.send) process.once('message', async (plan: Plan) => process.send!(await runClients(plan)));
