import { InvalidRequestError } from '../errors.js';

/**
 * People read about 12–16 letters a second (0.06–0.08 s a letter); a quarter of the fastest
 * reading is far below any real voice at that speed, and far above what a model makes of text
 * its phonemizer skipped (nothing, or a few sounds for the parts it could read).
 */
const MIN_SECONDS_PER_LETTER = 0.015;
/** A Chinese character, kana or Hangul syllable is a syllable (0.15–0.25 s): about three letters' worth. */
const LETTERS_PER_SYLLABLE_SIGN = 3;
/** Below this many letters a chunk may rightly be very short ("OK."). */
const MIN_LETTERS = 6;

const LETTERS = /[\p{L}\p{N}]/gu;
const SYLLABLE_SIGNS = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/** Text the engine could not read (see `skipsUnreadableText`), named instead of answered with silence. */
export class TextNotSpokenError extends InvalidRequestError {
  constructor(model: string, text: string, seconds: number, letters: number, language: string | undefined, languages: readonly string[]) {
    const quoted = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    const hint = language
      ? `it cannot read this text as '${language}' (the language asked for, or the voice's own). Send the language the text is written in (its languages: ${languages.join(', ')})`
      : `it cannot read most of this text. Send a language that matches it (its languages: ${languages.join(', ')})`;
    super(`Model '${model}' made only ${seconds.toFixed(2)} s of audio for ${letters} letters ("${quoted}"): ${hint}.`, 'input', 'text_not_spoken');
  }
}

/** Throws when `seconds` of audio are far too few for `text` at `speed`: the engine dropped most of it. */
export function assertTextSpoken(text: string, seconds: number, speed: number, describe: (letters: number) => TextNotSpokenError): void {
  const letters = text.match(LETTERS)?.length ?? 0;
  const weight = letters + (LETTERS_PER_SYLLABLE_SIGN - 1) * (text.match(SYLLABLE_SIGNS)?.length ?? 0);
  if (weight >= MIN_LETTERS && seconds < (weight * MIN_SECONDS_PER_LETTER) / speed) throw describe(letters);
}
