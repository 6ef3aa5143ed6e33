import { z } from 'zod';
import { TRANSCRIPTION_FORMATS } from './formats.js';

const flag = (name: string) => z.enum(['true', 'false'], { error: `${name} must be true or false` }).transform((v) => v === 'true');

/** OpenAI's VadConfig (`chunking_strategy` as an object); multipart sends its numbers as strings. */
const vadConfig = z.strictObject(
  {
    type: z.literal('server_vad', { error: 'chunking_strategy.type must be "server_vad"' }),
    prefix_padding_ms: z.coerce.number().int().min(0).optional(),
    silence_duration_ms: z.coerce.number().int().min(0).optional(),
    threshold: z.coerce.number().min(0).max(1).optional(),
  },
  { error: 'chunking_strategy must be "auto" or {"type": "server_vad", ...}' },
);

/** The text fields of `POST /v1/audio/transcriptions` and `/translations` (multipart values are strings). */
export const transcriptionFieldsSchema = z.object({
  model: z.string({ error: 'model is required: name an installed speech-to-text model (GET /v1/models)' }).min(1, 'model is required'),
  language: z.string().min(2).optional(),
  prompt: z.string().optional(),
  response_format: z.enum(TRANSCRIPTION_FORMATS, { error: `response_format must be one of: ${TRANSCRIPTION_FORMATS.join(', ')}` }).default('json'),
  temperature: z.coerce.number({ error: 'temperature must be a number' }).min(0, 'temperature must be between 0 and 1').max(1, 'temperature must be between 0 and 1').optional(),
  timestamp_granularities: z.array(z.enum(['segment', 'word'], { error: 'timestamp_granularities[] takes "segment" and/or "word"' })).default([]),
  stream: flag('stream').default(false),
  chunking_strategy: z.union([z.literal('auto'), vadConfig], { error: 'chunking_strategy must be "auto" or {"type": "server_vad", ...}' }).optional(),
  known_speaker_names: z.array(z.string().trim().min(1, 'known_speaker_names[] entries must not be empty')).max(4, 'known_speaker_names[] takes up to 4 speakers').default([]),
  known_speaker_references: z.array(z.string()).max(4, 'known_speaker_references[] takes up to 4 clips').default([]),
  /** Vocable's own: label verbose_json segments and SRT/VTT cues with speakers. */
  speaker_labels: flag('speaker_labels').default(false),
});

export type TranscriptionFields = z.infer<typeof transcriptionFieldsSchema>;

const LISTS = ['timestamp_granularities', 'known_speaker_names', 'known_speaker_references'];
const OBJECT_PART = /^(\w+)\[(\w+)\]$/;

/**
 * Multipart fields as one object: single values; lists for `name[]` (or a repeated `name`);
 * objects from `name[key]` parts (how OpenAI's SDKs send `chunking_strategy`) or a JSON value.
 */
export function collectFields(fields: Map<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawName, values] of fields) {
    const name = rawName.endsWith('[]') ? rawName.slice(0, -2) : rawName;
    const part = OBJECT_PART.exec(rawName);
    if (LISTS.includes(name)) out[name] = values;
    else if (part) out[part[1]!] = { ...(out[part[1]!] as object | undefined), [part[2]!]: values.at(-1) };
    else if (name === 'chunking_strategy' && values.at(-1)?.trim().startsWith('{')) out[name] = parseJson(values.at(-1)!);
    // Formats are names, not case-sensitive tokens: "SRT" and "Verbose_JSON" mean what they say.
    else if (name === 'response_format') out[name] = values.at(-1)?.toLowerCase();
    else out[name] = values.at(-1);
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
