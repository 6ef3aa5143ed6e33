/**
 * Splits long input into chunks the engine synthesises one after another: at sentence ends,
 * then, for sentences still too long, at clause marks, then at spaces. Abbreviations ("Dr.",
 * "e.g."), initials, decimals and thousands ("3.14", "1,000") are never split.
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'e.g', 'i.e', 'no', 'fig',
  'inc', 'ltd', 'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct',
  'nov', 'dec', 'approx', 'dept', 'est', 'vol', 'p', 'pp', 'cf', 'al',
]);

/** Sentence ends: . ! ? … (and CJK 。！？) followed by closing quotes/brackets, then space or end. */
const SENTENCE_END = /[.!?…。！？]+["'”’)\]]*(?=\s|$)|[。！？]+/g;
const CLAUSE_END = /[,;:—–]+(?=\s)|[，；：、]+/g;

function isAbbreviation(text: string, end: number): boolean {
  const before = text.slice(0, end);
  const word = /(\S+)$/.exec(before)?.[1] ?? '';
  const bare = word.replace(/^["'“‘(\[]+/, '').replace(/\.+$/, '').toLowerCase();
  if (ABBREVIATIONS.has(bare)) return true;
  // A single capital letter ("J. Smith") is an initial.
  return /^[A-Z]$/.test(word.replace(/\.$/, ''));
}

/** Cuts `text` after each match of `marks` (skipping abbreviations), trimming the pieces. */
function cutAt(text: string, marks: RegExp, skip: (text: string, end: number) => boolean = () => false): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (const match of text.matchAll(marks)) {
    const end = match.index + match[0].length;
    if (match[0].startsWith('.') && match[0].length === 1 && skip(text, match.index)) continue;
    pieces.push(text.slice(start, end));
    start = end;
  }
  pieces.push(text.slice(start));
  return pieces.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Greedily packs pieces into chunks of at most `max` characters (a single longer piece stays whole). */
function pack(pieces: string[], max: number, joiner = ' '): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current && current.length + joiner.length + piece.length > max) {
      chunks.push(current);
      current = piece;
    } else {
      current = current ? current + joiner + piece : piece;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

function splitLongSentence(sentence: string, max: number): string[] {
  if (sentence.length <= max) return [sentence];
  const clauses = pack(cutAt(sentence, CLAUSE_END), max);
  return clauses.flatMap((clause) => (clause.length <= max ? [clause] : pack(clause.split(/\s+/), max)));
}

/** Sentences (or clause groups of long sentences), each at most `maxChars` long where spaces allow. */
export function splitText(text: string, maxChars = 300): string[] {
  const normalized = text.replace(/\s+/g, ' ').trim();
  if (!normalized) return [];
  return cutAt(normalized, SENTENCE_END, isAbbreviation).flatMap((s) => splitLongSentence(s, maxChars));
}

/** A sentence end or clause mark with more text after it: text streamed in may be cut there. */
const STREAM_BOUNDARY = /[.!?…;:,—–]+["'”’)\]]*(?=\s)|[。！？，；：、]+/g;

/**
 * For text that arrives in pieces (a language model writing): the clauses complete so far, each
 * ending at a sentence end or clause mark that more text has followed, and the rest, still open.
 * Abbreviations and initials ("Dr.", "J.") end nothing; a mark at the very end waits, since
 * "3." may yet become "3.14".
 */
export function completeClauses(text: string): { clauses: string[]; rest: string } {
  const clauses: string[] = [];
  let start = 0;
  for (const match of text.matchAll(STREAM_BOUNDARY)) {
    const end = match.index + match[0].length;
    if (match[0] === '.' && isAbbreviation(text, match.index)) continue;
    const clause = text.slice(start, end).replace(/\s+/g, ' ').trim();
    if (clause) clauses.push(clause);
    start = end;
  }
  return { clauses, rest: text.slice(start) };
}
