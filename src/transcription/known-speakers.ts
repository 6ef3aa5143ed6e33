import { AudioDecodeError } from '../audio/decode.js';
import { AudioTooLongError, decodeAudioWithin } from '../audio/decode-stream.js';
import { durationSeconds, type MonoAudio } from '../audio/pcm.js';
import { resample } from '../audio/resample.js';
import { InvalidRequestError } from '../errors.js';
import type { KnownSpeakerClip } from './diarized-transcribe.js';
import { STT_SAMPLE_RATE } from '../audio/speech-segments.js';

/** OpenAI's bounds on a known speaker's reference clip. */
export const REFERENCE_SECONDS = { min: 2, max: 10 } as const;
const PARAM = 'known_speaker_references';
const DATA_URL = /^data:([^,;]*)((?:;[^,;]*)*?);base64,(.*)$/is;

/** Looks a saved voice's clip up by name (undefined when there is none). */
export type SavedVoiceClip = (name: string) => Promise<MonoAudio | undefined>;

async function decodeDataUrl(value: string, index: number): Promise<MonoAudio> {
  const match = DATA_URL.exec(value.trim());
  const bytes = Buffer.from(match![3]!.replace(/\s+/g, ''), 'base64');
  if (bytes.length === 0) throw new InvalidRequestError(`${PARAM}[${index}] holds no audio`, PARAM, 'invalid_audio');
  try {
    return await decodeAudioWithin(bytes, { maxSeconds: REFERENCE_SECONDS.max + 1 });
  } catch (error) {
    if (error instanceof AudioTooLongError) throw tooLong(index);
    if (error instanceof AudioDecodeError) throw new InvalidRequestError(`${PARAM}[${index}]: ${error.message}. Send a wav, mp3, flac, ogg or m4a clip.`, PARAM, 'invalid_audio');
    throw error;
  }
}

const tooLong = (index: number) =>
  new InvalidRequestError(`${PARAM}[${index}] must be ${REFERENCE_SECONDS.min}-${REFERENCE_SECONDS.max} s of audio; cut the clip to one stretch of that speaker`, PARAM, 'invalid_reference_length');

/**
 * The clips that name speakers: `known_speaker_names[i]` is heard in `known_speaker_references[i]`,
 * a data URL of a 2-10 s clip, or the name of a saved voice (whose clip is a reference already).
 */
export async function knownSpeakerClips(names: readonly string[], references: readonly string[], savedVoice: SavedVoiceClip): Promise<KnownSpeakerClip[]> {
  if (names.length !== references.length) {
    throw new InvalidRequestError(`known_speaker_names[] has ${names.length} entries and known_speaker_references[] ${references.length}; give one reference per name`, PARAM, 'known_speakers_mismatch');
  }
  if (new Set(names).size !== names.length) throw new InvalidRequestError('known_speaker_names[] holds the same name twice', 'known_speaker_names', 'invalid_value');
  const clips: KnownSpeakerClip[] = [];
  for (const [index, reference] of references.entries()) {
    let audio: MonoAudio;
    if (DATA_URL.test(reference.trim())) {
      audio = await decodeDataUrl(reference, index);
      const seconds = durationSeconds(audio);
      if (seconds < REFERENCE_SECONDS.min || seconds > REFERENCE_SECONDS.max) throw tooLong(index);
    } else {
      const saved = await savedVoice(reference.trim());
      if (!saved) {
        throw new InvalidRequestError(
          `${PARAM}[${index}] must be a data URL of a clip ("data:audio/wav;base64,...") or the name of a saved voice (GET /v1/voices)`,
          PARAM,
          'invalid_reference',
        );
      }
      audio = saved;
    }
    clips.push({ name: names[index]!, samples: resample(audio, STT_SAMPLE_RATE).samples });
  }
  return clips;
}
