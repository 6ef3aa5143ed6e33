import type { InjectOptions } from 'fastify';
import type { Rng } from './rng.js';

/** One request of a race, with the statuses it may end with whatever runs beside it. */
export interface RaceOp {
  label: string;
  request: InjectOptions;
  allowed: readonly number[];
}

const OPS = ['create', 'create', 'get', 'list', 'patch', 'patch', 'patch-clear', 'delete', 'delete', 'speak'] as const;

/**
 * A batch of voice operations fired at once on a few names, so that saves, edits, reads, deletes
 * and speech with one voice overlap: each may win or lose (201/200, 400 for speech with a voice
 * that is gone, 404, 409), none may fail (5xx). `speakWith` is a model that clones.
 */
export function raceBatch(rng: Rng, names: readonly string[], clipBase64: string, speakWith: string): RaceOp[] {
  const ops: RaceOp[] = [];
  const count = rng.int(2, 7);
  for (let i = 0; i < count; i += 1) {
    const name = rng.pick(names);
    const kind = rng.pick(OPS);
    const url = `/v1/voices/${name}`;
    if (kind === 'create') ops.push({ label: `create ${name}`, request: { method: 'POST', url: '/v1/voices', payload: { name, audio: clipBase64, transcript: `words ${rng.int(0, 999)}` } }, allowed: [201, 409] });
    if (kind === 'get') ops.push({ label: `get ${name}`, request: { method: 'GET', url }, allowed: [200, 404] });
    if (kind === 'list') ops.push({ label: 'list', request: { method: 'GET', url: '/v1/voices' }, allowed: [200] });
    if (kind === 'patch') ops.push({ label: `patch ${name}`, request: { method: 'PATCH', url, payload: { transcript: `edit ${rng.int(0, 999)}` } }, allowed: [200, 404, 409] });
    if (kind === 'patch-clear') ops.push({ label: `clear ${name}`, request: { method: 'PATCH', url, payload: { transcript: null } }, allowed: [200, 404, 409] });
    if (kind === 'speak') ops.push({ label: `speak as ${name}`, request: { method: 'POST', url: '/v1/audio/speech', payload: { model: speakWith, input: 'Hi.', voice: name, response_format: 'wav', stream: false } }, allowed: [200, 400] });
    if (kind === 'delete') ops.push({ label: `delete ${name}`, request: { method: 'DELETE', url }, allowed: [200, 404, 409] });
  }
  return ops;
}
