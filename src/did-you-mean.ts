import { distance } from 'fastest-levenshtein';

/**
 * " Did you mean 'x'?" for the known name closest to a mistyped one (case ignored; a name that
 * contains the other, like `kokoro` for `kokoro-en-v0_19`, counts as close), or "" when none is near.
 */
export function didYouMean(given: string, known: readonly string[]): string {
  const lower = given.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const name of known) {
    const candidate = name.toLowerCase();
    const score = candidate.startsWith(lower) || lower.startsWith(candidate) ? 0.5 : distance(lower, candidate);
    if (score < bestScore) [best, bestScore] = [name, score];
  }
  const tolerance = Math.max(2, Math.floor(lower.length / 3));
  return best !== undefined && bestScore <= tolerance && best !== given ? ` Did you mean '${best}'?` : '';
}
