import { z } from 'zod';

const inputField = (maxChars: number) =>
  z
    .string()
    .min(1, 'input is empty: send the text to speak')
    .max(maxChars, `input is longer than ${maxChars} characters: split it into several requests`)
    .refine((s) => s.trim().length > 0, 'input is only whitespace: send the text to speak');

/** The body of `POST /v1/audio/speech`: OpenAI's fields plus the cloning fields and controls. */
export const speechRequestSchema = (maxInputChars: number) => z.object({
  model: z.string().min(1, 'model is required: name an installed model (GET /v1/models lists them)'),
  input: inputField(maxInputChars),
  /** A voice name, or `{ "id": name }` as OpenAI's SDK types it. */
  voice: z
    .union([z.string().min(1), z.object({ id: z.string().min(1) })], { error: 'voice must be a voice name or an object { "id": name }' })
    .transform((v) => (typeof v === 'string' ? v : v.id))
    .optional(),
  // OpenAI's default, so clients that omit it get what they expect.
  response_format: z.string().default('mp3'),
  speed: z.number().min(0.25, 'speed must be between 0.25 and 4.0').max(4, 'speed must be between 0.25 and 4.0').default(1),
  instructions: z.string().optional(),
  stream_format: z.enum(['audio', 'sse'], { error: 'stream_format must be "audio" or "sse"' }).optional(),
  stream: z.boolean().optional(),
  sample_rate: z
    .number()
    .int('sample_rate must be a whole number of hertz')
    .min(8000, 'sample_rate must be between 8000 and 48000')
    .max(48000, 'sample_rate must be between 8000 and 48000')
    .optional(),
  ref_audio: z.string().optional(),
  ref_text: z.string().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  top_k: z.number().optional(),
  repetition_penalty: z.number().optional(),
  max_tokens: z.number().optional(),
  seed: z.number().optional(),
  num_steps: z.number().optional(),
  guidance_scale: z.number().optional(),
  language: z.string().min(1).optional(),
  /** Vocable's own: report how alike the generated voice sounds to the reference (stream: false or SSE). */
  speaker_similarity: z.boolean({ error: 'speaker_similarity must be true or false' }).optional(),
});

export type SpeechRequest = z.infer<ReturnType<typeof speechRequestSchema>>;
