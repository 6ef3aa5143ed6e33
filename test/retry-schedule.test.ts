/**
 * When refused clients are told to come back (issue 14): a burst of refusals gets turns spread a
 * job's time apart, not one shared instant that would bring the whole burst back at once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_RETRY_AFTER_MS, RetrySchedule } from '../src/engine/retry-schedule.js';

test('a burst of refusals gets successive turns, each a job\'s time after the one before', () => {
  const schedule = new RetrySchedule();
  const waits = Array.from({ length: 5 }, () => schedule.book(100, 1000));
  assert.deepEqual(waits, [100, 200, 300, 400, 500]);
});

test('turns already passed are not handed out: a later refusal waits one job\'s time from now', () => {
  const schedule = new RetrySchedule();
  schedule.book(100, 1000);
  schedule.book(100, 1000);
  assert.equal(schedule.book(100, 5000), 100);
});

test('turns given while jobs were slow do not hold back clients refused once jobs are quick', () => {
  const schedule = new RetrySchedule();
  for (let i = 0; i < 10; i += 1) schedule.book(1000, 0);
  // Ten clients are due back; the eleventh waits for them at today's job time, not 10 s.
  assert.equal(schedule.book(10, 0), 11 * 20);
});

test('peek tells the wait without booking it', () => {
  const schedule = new RetrySchedule();
  assert.equal(schedule.peek(100, 0), 100);
  assert.equal(schedule.peek(100, 0), 100);
  assert.equal(schedule.book(100, 0), 100);
  assert.equal(schedule.peek(100, 0), 200);
});

test('a model whose jobs take no time still spaces its turns, and no wait passes the cap', () => {
  const schedule = new RetrySchedule();
  const first = schedule.book(0, 0);
  const second = schedule.book(0, 0);
  assert.ok(first > 0 && second > first, `${first}, ${second}`);
  const waits = Array.from({ length: 2000 }, () => schedule.book(1000, 0));
  assert.equal(Math.max(...waits), MAX_RETRY_AFTER_MS);
});
