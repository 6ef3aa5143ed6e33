import { z } from 'zod';

export const SUPPORTED_RESPONSE_FORMATS = ['wav', 'pcm'] as const;
/** Formats OpenAI's contract names; those not in SUPPORTED_RESPONSE_FORMATS get a clear 400. */
export const OPENAI_RESPONSE_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export const MAX_INPUT_CHARS = 4096;

/** The body of `POST /v1/audio/speech`: OpenAI's fields plus the cloning fields. */
export const speechRequestSchema = z.object({
  model: z.string().min(1, 'model is required: name an installed model (GET /v1/models lists them)'),
  input: z
    .string()
    .min(1, 'input is empty: send the text to speak')
    .max(MAX_INPUT_CHARS, `input is longer than ${MAX_INPUT_CHARS} characters: split it into several requests`)
    .refine((s) => s.trim().length > 0, 'input is only whitespace: send the text to speak'),
  /** A voice name, or `{ "id": name }` as OpenAI's SDK types it. */
  voice: z
    .union([z.string().min(1), z.object({ id: z.string().min(1) })], { error: 'voice must be a voice name or an object { "id": name }' })
    .transform((v) => (typeof v === 'string' ? v : v.id))
    .optional(),
  response_format: z.string().default('wav'),
  speed: z.number().min(0.25, 'speed must be between 0.25 and 4.0').max(4, 'speed must be between 0.25 and 4.0').default(1),
  instructions: z.string().optional(),
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
});

export type SpeechRequest = z.infer<typeof speechRequestSchema>;
export type ResponseFormat = (typeof SUPPORTED_RESPONSE_FORMATS)[number];
