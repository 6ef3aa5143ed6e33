import type { ControlName } from '../wire/models.js';

export type { ControlName, ControlSpec, FamilyControls } from '../wire/models.js';

/** Per-request generation controls a family may honour, as `/v1/audio/speech` names them. */
export const CONTROL_NAMES = [
  'temperature',
  'top_p',
  'top_k',
  'repetition_penalty',
  'max_tokens',
  'seed',
  'num_steps',
  'guidance_scale',
] as const satisfies readonly ControlName[];

export type ControlValues = Partial<Record<ControlName, number>>;

/**
 * Values that change nothing on any model, so a client sending them to a model that lacks the
 * control is not misled (many clients send `top_p: 1` by habit).
 */
export const NEUTRAL_VALUES: ControlValues = { top_p: 1, top_k: 0, repetition_penalty: 1, guidance_scale: 1 };
