import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { durationSeconds } from '../audio/pcm.js';
import type { VoicePack } from '../catalogue/voice-packs.js';
import { DownloadError } from '../errors.js';
import { prepareReferenceAudio } from '../reference/reference-clip.js';
import type { Transcriber } from '../voices/save-voice.js';
import { SAVED_CLIP } from '../voices/save-voice.js';
import { VoiceExistsError, type VoiceStore } from '../voices/voice-store.js';
import { fetchVerified, type PullOptions, type PullOutcome } from './pull-model.js';

export interface VoicePackOptions extends PullOptions {
  /** Where downloads wait (an interrupted one resumes); each clip's file is removed once saved. */
  downloadsDir: string;
  /** Transcribes each clip when a speech-to-text model is at hand (models that clone from a transcript need one). */
  transcriber?: Transcriber;
}

/**
 * Downloads each clip of `pack`, checks its SHA-256, and saves it as a saved voice of its name
 * (normalised as any saved voice is; a clip longer than a saved voice may be is cut). A voice
 * of that name already saved is left as it is, so pulling again only adds what is missing.
 */
export async function pullVoicePack(pack: VoicePack, store: VoiceStore, options: VoicePackOptions): Promise<PullOutcome> {
  const missing = [];
  for (const voice of pack.voices) if (!(await store.get(voice.name))) missing.push(voice);
  if (missing.length === 0) return 'already-installed';
  await mkdir(options.downloadsDir, { recursive: true });
  for (const voice of missing) {
    const part = join(options.downloadsDir, `${pack.id}.${voice.name}.part`);
    const hint = ` If this machine is offline, fetch ${voice.url} where there is network and save it as a voice: POST /v1/voices with name "${voice.name}".`;
    await fetchVerified(voice, part, hint, options);
    try {
      const { audio } = await prepareReferenceAudio(await readFile(part), { ...SAVED_CLIP, overLength: 'truncate' }, `voice pack '${pack.id}'`, { param: 'file' }).catch((error: unknown) => {
        throw new DownloadError(`${voice.url} is not a usable clip: ${(error as Error).message}`, 'bad_archive');
      });
      const transcript = options.transcriber ? (await options.transcriber(audio)).trim() || null : null;
      await store
        .create(
          {
            id: voice.name,
            object: 'voice',
            created_at: Math.floor(Date.now() / 1000),
            transcript,
            model: null,
            sample_rate: audio.sampleRate,
            duration_seconds: Math.round(durationSeconds(audio) * 100) / 100,
          },
          audio,
        )
        .catch((error: unknown) => {
          // Saved at the same moment by another pull or a client: the voice exists, which is the goal.
          if (!(error instanceof VoiceExistsError)) throw error;
        });
    } finally {
      await rm(part, { force: true });
    }
  }
  return 'installed';
}

/** Whether every voice of `pack` is saved. */
export async function voicePackInstalled(pack: VoicePack, store: VoiceStore): Promise<boolean> {
  for (const voice of pack.voices) if (!(await store.get(voice.name))) return false;
  return true;
}
