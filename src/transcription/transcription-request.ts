import { z } from 'zod';
import { TRANSCRIPTION_FORMATS } from './formats.js';

const flag = z.enum(['true', 'false'], { error: 'stream must be true or false' }).transform((v) => v === 'true');

/** The text fields of `POST /v1/audio/transcriptions` and `/translations` (multipart values are strings). */
export const transcriptionFieldsSchema = z.object({
  model: z.string({ error: 'model is required: name an installed speech-to-text model (GET /v1/models)' }).min(1, 'model is required'),
  language: z.string().min(2).optional(),
  prompt: z.string().optional(),
  response_format: z.enum(TRANSCRIPTION_FORMATS, { error: `response_format must be one of: ${TRANSCRIPTION_FORMATS.join(', ')}` }).default('json'),
  temperature: z.coerce.number({ error: 'temperature must be a number' }).min(0, 'temperature must be between 0 and 1').max(1, 'temperature must be between 0 and 1').optional(),
  timestamp_granularities: z.array(z.enum(['segment', 'word'], { error: 'timestamp_granularities[] takes "segment" and/or "word"' })).default([]),
  stream: flag.default(false),
});

export type TranscriptionFields = z.infer<typeof transcriptionFieldsSchema>;

/** Multipart fields as one object: single values, and the list for `timestamp_granularities[]`. */
export function collectFields(fields: Map<string, string[]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, values] of fields) {
    if (name === 'timestamp_granularities[]' || name === 'timestamp_granularities') out.timestamp_granularities = values;
    else out[name] = values.at(-1);
  }
  return out;
}
