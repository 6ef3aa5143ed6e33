import type { ListOf } from '../../wire/models.js';
import type { SavedVoice } from '../../wire/voices.js';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { VocableError, InvalidRequestError } from '../../errors.js';
import { readMultipartForm } from '../multipart-form.js';
import { parseFields } from '../parse-body.js';
import { decodeReferenceBase64OffThread } from '../../reference/reference-clip.js';
import { encodeWav } from '../../audio/wav.js';
import { renameVoice } from '../../voices/rename-voice.js';
import { checkTranscriptLength, checkVoiceName } from '../../voices/saved-voice.js';
import { saveVoice, type SaveVoiceInput, type VoiceServiceDeps } from '../../voices/save-voice.js';

export interface VoiceRouteOptions extends VoiceServiceDeps {
  maxAudioBytes: number;
}

export const jsonVoice = z.object({
  name: z.string(),
  audio: z.string({ error: 'audio is required: the clip, base64-encoded (or upload it as multipart field "file")' }),
  transcript: z.string().optional(),
  model: z.string().min(1).optional(),
});
export const patchVoice = z.object({ transcript: z.string().nullable().optional(), name: z.string().optional() });

class VoiceNotFoundError extends VocableError {
  constructor(name: string) {
    super('voice_not_found', `No saved voice named '${name}'. GET /v1/voices lists them.`, 'name');
  }
}

/** A multipart form with fields name, transcript, model and one file part, `file`. */
async function fromMultipart(request: FastifyRequest, maxBytes: number): Promise<SaveVoiceInput> {
  const { fields, file } = await readMultipartForm(request, 'file', maxBytes);
  if (!file || file.bytes.length === 0) throw new InvalidRequestError('file is required: upload the voice clip as multipart field "file"', 'file', 'missing_file');
  const field = (name: string) => fields.get(name)?.[0];
  return { name: field('name'), audio: file.bytes, transcript: field('transcript'), model: field('model') || undefined };
}

/** Saved voices: `POST/GET /v1/voices`, `GET/PATCH/DELETE /v1/voices/{name}` (PATCH renames, too), `GET /v1/voices/{name}/audio`. */
export function voiceRoutes(options: VoiceRouteOptions) {
  const { store } = options;
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(multipart, { limits: { fileSize: options.maxAudioBytes, files: 1, fields: 10, fieldSize: 64 * 1024 }, throwFileSizeLimit: true });

    app.post('/v1/voices', async (request, reply) => {
      let input: SaveVoiceInput;
      if (request.isMultipart()) {
        input = await fromMultipart(request, options.maxAudioBytes);
      } else {
        const body = parseFields(jsonVoice, request.body);
        input = { ...body, audio: await decodeReferenceBase64OffThread(body.audio, options.maxAudioBytes, 'audio') };
      }
      return reply.status(201).send(await saveVoice(input, options));
    });

    app.get('/v1/voices', async (): Promise<ListOf<SavedVoice>> => ({ object: 'list', data: await store.list() }));

    app.get<{ Params: { name: string } }>('/v1/voices/:name', async (request) => {
      const name = checkVoiceName(request.params.name);
      return (await store.get(name)) ?? Promise.reject(new VoiceNotFoundError(name));
    });

    app.patch<{ Params: { name: string } }>('/v1/voices/:name', async (request) => {
      const name = checkVoiceName(request.params.name);
      const { transcript, name: newName } = parseFields(patchVoice, request.body);
      if (transcript === undefined && newName === undefined) throw new InvalidRequestError('Send the fields to change: transcript, name (a new name), or both', null, 'invalid_value');
      let current = name;
      if (transcript !== undefined) {
        const text = transcript?.trim() || null;
        if (text) checkTranscriptLength(text, 'transcript');
        if (!(await store.update(name, { transcript: text }))) throw new VoiceNotFoundError(name);
      }
      if (newName !== undefined) {
        if (!(await renameVoice(store, options.pool, name, newName))) throw new VoiceNotFoundError(name);
        current = checkVoiceName(newName);
      }
      return (await store.get(current)) ?? Promise.reject(new VoiceNotFoundError(current));
    });

    // The clip as saved (24 kHz mono WAV), so a person can hear which voice a name holds.
    app.get<{ Params: { name: string } }>('/v1/voices/:name/audio', async (request, reply) => {
      const name = checkVoiceName(request.params.name);
      const audio = await store.audio(name);
      if (!audio) throw new VoiceNotFoundError(name);
      return reply.type('audio/wav').send(encodeWav(audio));
    });

    app.delete<{ Params: { name: string } }>('/v1/voices/:name', async (request) => {
      const name = checkVoiceName(request.params.name);
      if (!(await store.delete(name))) throw new VoiceNotFoundError(name);
      return { id: name, object: 'voice.deleted', deleted: true };
    });
  };
}
