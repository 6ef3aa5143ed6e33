import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobQueue, QueueFullError } from '../src/engine/job-queue.js';

/** A job that runs until the test lets it go, telling which lane it got. */
function heldJob() {
  let finish!: () => void;
  let ready!: () => void;
  let lane = -1;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const run = (given: number) => {
    lane = given;
    ready();
    return new Promise<void>((resolve) => (finish = resolve));
  };
  return { started, run, finish: () => finish(), lane: () => lane };
}

test('two instances run two jobs side by side, each on its own lane; a third waits for a free lane', async () => {
  const queue = new JobQueue(1, 2);
  const a = heldJob();
  const runA = queue.run(a.run);
  const b = heldJob();
  const runB = queue.run(b.run);
  await Promise.all([a.started, b.started]);
  assert.deepEqual([a.lane(), b.lane()].sort(), [0, 1]);
  assert.equal(queue.depth, 2);
  const c = heldJob();
  let cStarted = false;
  const runC = queue.run((lane) => {
    cStarted = true;
    return c.run(lane);
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(cStarted, false, 'a third job ran while both lanes were busy');
  assert.ok(queue.full);
  await assert.rejects(queue.run(async () => undefined), QueueFullError);
  b.finish();
  await runB;
  await c.started;
  assert.equal(c.lane(), b.lane(), 'the waiting job takes the lane that came free');
  a.finish();
  c.finish();
  await Promise.all([runA, runC]);
  assert.equal(queue.depth, 0);
});

test('one instance: jobs run one at a time, in arrival order', async () => {
  const queue = new JobQueue(5, 1);
  const order: number[] = [];
  await Promise.all([1, 2, 3].map((n) => queue.run(async (lane) => {
    assert.equal(lane, 0);
    order.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    order.push(-n);
  })));
  assert.deepEqual(order, [1, -1, 2, -2, 3, -3]);
});
