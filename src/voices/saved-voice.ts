import { InvalidRequestError } from '../errors.js';

export type { SavedVoice } from '../wire/voices.js';

/** Letters, digits, `_`, `-` and inner dots: a name is a folder name, so no path characters. */
const VOICE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?$/;

export const isVoiceName = (name: unknown): name is string => typeof name === 'string' && VOICE_NAME.test(name) && !name.includes('..');

export function checkVoiceName(name: unknown): string {
  if (!isVoiceName(name)) {
    throw new InvalidRequestError(
      'name must be 1-64 letters, digits, "_", "-" or "." (not at the ends), e.g. "my-voice"',
      'name',
      'invalid_voice_name',
    );
  }
  return name;
}

/**
 * Far more than anyone says in the longest clip a cloning model takes (30 s saved, 20 s used):
 * the bound on a transcript wherever one arrives (saving, editing, or ref_text).
 */
export const MAX_TRANSCRIPT_CHARS = 1000;

/** Refuses a transcript longer than any clip could hold. */
export function checkTranscriptLength(text: string, param: string): void {
  const chars = [...text].length;
  if (chars > MAX_TRANSCRIPT_CHARS) {
    throw new InvalidRequestError(`The transcript is ${chars} characters; send only the words spoken in the clip (at most ${MAX_TRANSCRIPT_CHARS})`, param, 'invalid_value');
  }
}
