import { PassThrough, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ModelInstaller } from '../../pull/model-installer.js';
import type { CatalogueListing } from '../../wire/catalogue.js';
import type { PullOutcome, PullProgress } from '../../pull/pull-model.js';
import { voicePackInstalled } from '../../pull/pull-voice-pack.js';
import { parseFields } from '../parse-body.js';
import { sseErrorEvent, sseEvent } from '../sse.js';

export const pullRequestSchema = z.object({
  model: z.string().min(1, 'model: give the catalogue id to pull (GET /v1/catalogue lists them)'),
  /** As with Ollama's pull, progress streams by default; `false` answers once, when done. */
  stream: z.boolean().default(true),
});

/** Download progress is sent at most this often; phase changes always. */
const PROGRESS_INTERVAL_MS = 250;

function progressEvent(model: string, progress: PullProgress): object {
  return progress.phase === 'download'
    ? { type: 'model.pull.progress', model, phase: 'download', received_bytes: progress.receivedBytes, total_bytes: progress.totalBytes ?? null }
    : { type: 'model.pull.progress', model, phase: progress.phase };
}

/** SSE: `model.pull.progress` events while the pull runs, then `model.pull.done` or an `error` event. */
function pullEvents(model: string, run: (onProgress: (p: PullProgress) => void) => Promise<PullOutcome>): Readable {
  const events = new PassThrough();
  let lastSent = 0;
  let lastPhase = '';
  run((progress) => {
    const now = Date.now();
    if (progress.phase === lastPhase && now - lastSent < PROGRESS_INTERVAL_MS) return;
    lastSent = now;
    lastPhase = progress.phase;
    // A client that went away stops hearing; the pull itself goes on for whoever asks next.
    if (!events.destroyed) events.write(sseEvent(progressEvent(model, progress)));
  }).then(
    (status) => events.end(sseEvent({ type: 'model.pull.done', model, status })),
    (error: unknown) => events.end(sseErrorEvent(error, 'The pull')),
  );
  return events;
}

/** Whether `id` is being pulled, and how far it has got (`progress`, null when not pulling). */
function pullState(installer: ModelInstaller, id: string): Pick<CatalogueListing, 'pulling' | 'progress'> {
  const { pulling, progress } = installer.progress(id);
  if (!pulling) return { pulling, progress: null };
  if (!progress) return { pulling, progress: { phase: 'start' } };
  return { pulling, progress: progress.phase === 'download' ? { phase: 'download', received_bytes: progress.receivedBytes, total_bytes: progress.totalBytes ?? null } : { phase: progress.phase } };
}

/**
 * `POST /v1/models/pull` downloads a catalogue model into the models folder (progress as SSE, or
 * one JSON answer with `stream: false`); `GET /v1/catalogue` lists what can be pulled.
 */
export function modelPullRoutes(installer: ModelInstaller) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/v1/catalogue', async () => ({
      object: 'list',
      data: installer.catalogue.list().map((entry) => ({
        id: entry.id,
        object: 'catalogue.model',
        task: entry.task,
        family: entry.family,
        description: entry.description,
        licence: entry.licence,
        commercial_use: entry.commercialUse ?? null,
        url: entry.url,
        size_bytes: entry.sizeBytes ?? null,
        sha256: entry.sha256 ?? null,
        languages: entry.languages,
        features: entry.features,
        installed: installer.isInstalled(entry.id),
        ...pullState(installer, entry.id),
      })),
      // Voice packs: reference clips installed as saved voices, each clip checked by its SHA-256.
      ...(installer.voicePacks
        ? {
            voice_packs: await Promise.all(
              installer.voicePacks.packs.list().map(async (pack) => ({
                id: pack.id,
                object: 'catalogue.voice_pack',
                task: 'voices',
                description: pack.description,
                licence: pack.licence,
                source: pack.source,
                voices: pack.voices.map((v) => ({ name: v.name, description: v.description, url: v.url, sha256: v.sha256 })),
                installed: await voicePackInstalled(pack, installer.voicePacks!.store),
                ...pullState(installer, pack.id),
              })),
            ),
          }
        : {}),
    }));

    app.post('/v1/models/pull', async (request, reply) => {
      const { model, stream } = parseFields(pullRequestSchema, request.body);
      if (!installer.voicePacks?.packs.find(model)) installer.catalogue.require(model);
      installer.refuseIfOffline(model);
      if (stream) {
        return reply
          .type('text/event-stream')
          .header('Cache-Control', 'no-cache')
          .send(pullEvents(model, (onProgress) => installer.pull(model, onProgress)));
      }
      return { object: 'model.pull', model, status: await installer.pull(model) };
    });
  };
}
