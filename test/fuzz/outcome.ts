import type { LightMyRequestResponse } from 'fastify';

/** The status a response is tallied under. */
export function statusLabel(response: LightMyRequestResponse): string {
  return String(response.statusCode);
}

/**
 * What every answer must be: a 2xx with a real body, or a 4xx in OpenAI's error shape with a
 * message. Returns the problem, or undefined when the answer is fine.
 */
export function checkResponse(response: LightMyRequestResponse): string | undefined {
  const { statusCode: status } = response;
  if (status >= 200 && status < 300) {
    if (response.rawPayload.length === 0) return `${status} with an empty body`;
    return undefined;
  }
  if (status < 400 || status >= 500) return `status ${status}: ${response.body.slice(0, 300)}`;
  if (!String(response.headers['content-type']).startsWith('application/json')) return `${status} with content-type ${response.headers['content-type']}`;
  let body: unknown;
  try {
    body = response.json();
  } catch {
    return `${status} with a body that is not JSON: ${response.body.slice(0, 200)}`;
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error || typeof error !== 'object') return `${status} without an error object: ${response.body.slice(0, 200)}`;
  const keys = Object.keys(error).sort().join(',');
  if (keys !== 'code,message,param,type') return `${status} error has keys ${keys}`;
  if (typeof error.message !== 'string' || error.message.trim().length === 0) return `${status} error without a message`;
  if (typeof error.type !== 'string') return `${status} error without a type`;
  if (error.param !== null && typeof error.param !== 'string') return `${status} error param is ${typeof error.param}`;
  if (error.code !== null && typeof error.code !== 'string') return `${status} error code is ${typeof error.code}`;
  return undefined;
}

export interface Failure {
  id: string;
  description: string;
  problem: string;
}

interface CategoryTally {
  cases: number;
  statuses: Map<string, number>;
  failures: number;
  slowestMs: number;
  totalMs: number;
  peakRss: number;
}

/** Outcome counts per category and per status, printed as a table at the end of the run. */
export class Tally {
  readonly categories = new Map<string, CategoryTally>();

  record(category: string, status: string, ms: number, failed: boolean, rss: number): void {
    let tally = this.categories.get(category);
    if (!tally) this.categories.set(category, (tally = { cases: 0, statuses: new Map(), failures: 0, slowestMs: 0, totalMs: 0, peakRss: 0 }));
    tally.peakRss = Math.max(tally.peakRss, rss);
    tally.cases += 1;
    tally.statuses.set(status, (tally.statuses.get(status) ?? 0) + 1);
    if (failed) tally.failures += 1;
    tally.slowestMs = Math.max(tally.slowestMs, ms);
    tally.totalMs += ms;
  }

  table(): string {
    const statuses = [...new Set([...this.categories.values()].flatMap((t) => [...t.statuses.keys()]))].sort();
    const header = ['category', 'cases', ...statuses, 'failed', 'slowest ms', 'total s', 'peak RSS MB'];
    const rows = [...this.categories].map(([name, t]) => [
      name,
      String(t.cases),
      ...statuses.map((s) => String(t.statuses.get(s) ?? '')),
      String(t.failures),
      String(Math.round(t.slowestMs)),
      (t.totalMs / 1000).toFixed(1),
      String(Math.round(t.peakRss / 1048576)),
    ]);
    const totals = [...this.categories.values()];
    const sum = (f: (t: CategoryTally) => number) => totals.reduce((n, t) => n + f(t), 0);
    rows.push([
      'total',
      String(sum((t) => t.cases)),
      ...statuses.map((s) => String(sum((t) => t.statuses.get(s) ?? 0))),
      String(sum((t) => t.failures)),
      String(Math.round(Math.max(0, ...totals.map((t) => t.slowestMs)))),
      (sum((t) => t.totalMs) / 1000).toFixed(1),
      String(Math.round(Math.max(0, ...totals.map((t) => t.peakRss)) / 1048576)),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
  }
}
