import { z } from 'zod';
import type { RealtimeServerEvent } from '../wire/realtime.js';

export type { RealtimeErrorBody, ServerVad, TranscriptionSessionConfig } from '../wire/realtime.js';

/**
 * The client events of a transcription session, as OpenAI's Realtime API (GA) defines them
 * (`openai` SDK: resources/realtime/realtime.d.ts). Unknown fields are ignored, as OpenAI's
 * clients send fields this server has no use for (noise_reduction, include).
 */
const formatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('audio/pcm'), rate: z.literal(24000, { error: 'audio/pcm is 24 kHz: rate must be 24000 (resample before sending)' }).optional() }),
  z.object({ type: z.literal('audio/pcmu') }),
  z.object({ type: z.literal('audio/pcma') }),
], { error: 'format.type must be audio/pcm, audio/pcmu or audio/pcma' });

const serverVadSchema = z.object({
  type: z.literal('server_vad', { error: 'turn_detection.type must be server_vad (semantic_vad is not available here), or send turn_detection: null for manual commits' }),
  threshold: z.number().min(0, 'threshold must be between 0 and 1').max(1, 'threshold must be between 0 and 1').optional(),
  prefix_padding_ms: z.number().int().min(0, 'prefix_padding_ms must be between 0 and 2000').max(2000, 'prefix_padding_ms must be between 0 and 2000').optional(),
  silence_duration_ms: z.number().int().min(100, 'silence_duration_ms must be between 100 and 5000').max(5000, 'silence_duration_ms must be between 100 and 5000').optional(),
});

const sessionSchema = z.object({
  type: z.literal('transcription', { error: 'session.type must be "transcription": this server serves transcription sessions only' }),
  audio: z
    .object({
      input: z
        .object({
          format: formatSchema.optional(),
          transcription: z
            .object({ model: z.string().min(1).optional(), language: z.string().min(2).nullable().optional(), prompt: z.string().optional() })
            .nullable()
            .optional(),
          turn_detection: serverVadSchema.nullable().optional(),
        })
        .optional(),
    })
    .optional(),
});

export const clientEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('session.update'), event_id: z.string().optional(), session: sessionSchema }),
  z.object({ type: z.literal('input_audio_buffer.append'), event_id: z.string().optional(), audio: z.string({ error: 'audio is required: base64 audio in the session format' }) }),
  z.object({ type: z.literal('input_audio_buffer.commit'), event_id: z.string().optional() }),
  z.object({ type: z.literal('input_audio_buffer.clear'), event_id: z.string().optional() }),
]);

export type ClientEvent = z.infer<typeof clientEventSchema>;
export type SessionUpdate = z.infer<typeof sessionSchema>;
export const CLIENT_EVENT_TYPES = ['session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear'];

type WithoutId<T> = T extends unknown ? Omit<T, 'event_id'> : never;

/** A server event as the session makes it; the id is added as it is sent. */
export type ServerEvent = WithoutId<RealtimeServerEvent>;
