import { InvalidRequestError } from '../errors.js';

/**
 * The one rule for matching a requested language to a model's list, for speech and transcription
 * alike: case and `_`/`-` do not matter, and a bare language matches a regional one and back
 * (`en` finds `en-us`, `en-GB` finds `en`). An exact match wins over a primary-subtag one.
 */
export function matchLanguage(requested: string, languages: readonly string[]): string | undefined {
  const normal = (tag: string) => tag.toLowerCase().replaceAll('_', '-');
  const primary = (tag: string) => normal(tag).split('-')[0];
  const wanted = normal(requested);
  return languages.find((l) => normal(l) === wanted) ?? languages.find((l) => primary(l) === wanted || normal(l) === primary(requested));
}

/** The model's spelling of `requested`, or a 400 naming the languages it knows. */
export function requireLanguage(requested: string, languages: readonly string[], modelId: string, param = 'language'): string {
  const match = matchLanguage(requested, languages);
  if (match === undefined) throw new InvalidRequestError(`Model '${modelId}' does not know language '${requested}'; it knows: ${languages.join(', ')}`, param, 'unsupported_language');
  return match;
}
