import assert from 'node:assert/strict';

/**
 * Waits until `check` holds, looking again every few milliseconds: tests wait for the state they
 * need (a job queued, a model unloaded), never for a fixed time. The bound is liveness, not timing.
 */
export async function until(check: () => boolean | Promise<boolean>, what: string, seconds = 15): Promise<void> {
  for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`${what} did not happen within ${seconds} s`);
}
