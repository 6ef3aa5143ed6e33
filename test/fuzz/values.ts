import type { Rng } from './rng.js';

/** Text that trips up parsers, tokenizers and phonemizers; lone surrogates go through raw JSON (see RAW_TOKENS). */
export const UNICODE_EDGES: readonly string[] = [
  'שלום עולם', // RTL
  'مرحبا بالعالم',
  '\u202eevil\u202c text', // right-to-left override
  '\u200f\u200e\u2066mixed\u2069',
  '👩‍👩‍👧‍👦 family', // zero-width joiner sequence
  '🏳️‍🌈🇺🇳🏴󠁧󠁢󠁳󠁣󠁴󠁿', // flag and tag sequences
  '👍🏽👍🏿', // skin tones
  'e\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030a'.repeat(20), // stacked combining marks
  '\u0301\u0301 leading marks',
  'a\u0000b', // NUL
  '\ufeffbom',
  'line\u2028sep\u2029para',
  'zero\u200bwidth\u200c\u200d\u2060',
  '\u{10ffff}\u{fffe}\uffff',
  '\ue000private use',
  '你好，世界。',
  'こんにちは世界',
  '안녕하세요',
  'नमस्ते दुनिया',
  'สวัสดีชาวโลก',
  '\x1b[31mred\x1b[0m',
  '\t\r\n\v\f text',
  '𝕳𝖊𝖑𝖑𝖔 𝒘𝒐𝒓𝒍𝒅',
  'ǅungla ﬁne Ⅻ',
  '...!!!???',
  '123 456.789 1e10 -0 NaN',
  '$%^&*()_+{}|:"<>?',
];

/** JSON tokens JSON.stringify cannot make: escapes of lone surrogates and NUL, numbers past float range. */
export const RAW_TOKENS: readonly string[] = [
  '"\\ud800"',
  '"\\udfff"',
  '"a\\ud800b"',
  '"\\udc00\\ud800"',
  '"\\u0000"',
  '"\\u0000\\u0000hello"',
  '"hi\\ud83d"',
  '1e400',
  '-1e400',
  '1e-400',
  '-0',
  '123456789012345678901234567890',
  '0.0000000000000000000000001',
];

const STRINGS: readonly string[] = [
  '',
  ' ',
  '\n\t',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1',
  '0',
  '0x10',
  'null',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '../../../../etc/passwd',
  '/etc/passwd',
  'C:\\Windows\\win.ini',
  'voice.wav',
  'http://127.0.0.1:1/x.wav',
  '%00',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  "'; DROP TABLE voices; --",
  'af_heart',
  'kokoro',
  'pocket',
  'zipvoice',
  'sensevoice',
  'wav',
  'mp3',
  'pcm',
  'audio',
  'sse',
  'en',
  'en-US',
  'zz',
];

const NUMBERS: readonly number[] = [0, -0, -1, 1, 0.5, 0.25, 4, 4.0001, 3.5, 7, 100, 8000, 48000, 48001, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 1e21, 1e308, -1e308, 5e-324, -(2 ** 31)];

export function weirdString(rng: Rng): string {
  switch (rng.int(0, 5)) {
    case 0:
      return rng.pick(UNICODE_EDGES);
    case 1:
      return rng.pick(UNICODE_EDGES) + ' ' + rng.pick(UNICODE_EDGES);
    case 2:
      // Long strings around and far past the input limit (4096 characters).
      return rng.pick(['a', 'é', '👩‍👩‍👧', 'word ', '. ']).repeat(rng.pick([1000, 4097, 20_000, 200_000]));
    case 3:
      return randomText(rng, rng.int(1, 40));
    default:
      return rng.pick(STRINGS);
  }
}

/** Random code points, surrogates excluded (JSON.stringify would escape them anyway). */
export function randomText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 1) {
    const plane = rng.int(0, 9);
    const cp = plane < 6 ? rng.int(0x20, 0x7e) : plane < 8 ? rng.int(0xa0, 0xd7ff) : plane < 9 ? rng.int(0xe000, 0xfffd) : rng.int(0x10000, 0x10ffff);
    out += String.fromCodePoint(cp);
  }
  return out;
}

export function weirdNumber(rng: Rng): number {
  return rng.chance(0.7) ? rng.pick(NUMBERS) : (rng.next() - 0.5) * 10 ** rng.int(-5, 12);
}

/** Any JSON value, nested up to `depth`. */
export function randomValue(rng: Rng, depth = 3): unknown {
  switch (rng.int(0, depth > 0 ? 7 : 4)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return weirdNumber(rng);
    case 3:
    case 4:
      return weirdString(rng);
    case 5:
      return Array.from({ length: rng.int(0, 4) }, () => randomValue(rng, depth - 1));
    case 6:
      return { id: randomValue(rng, depth - 1) };
    default:
      return Object.fromEntries(Array.from({ length: rng.int(0, 4) }, () => [rng.pick(STRINGS), randomValue(rng, depth - 1)]));
  }
}

/** A value of the wrong type for a field of type `kind`, or an out-of-range one of the right type. */
export function wrongValue(rng: Rng, kind: 'string' | 'number' | 'boolean'): unknown {
  if (rng.chance(0.35)) {
    if (kind === 'number') return weirdNumber(rng);
    if (kind === 'string') return weirdString(rng);
    return rng.pick(['true', 'false', 1, 0, 'yes']);
  }
  return rng.pick<() => unknown>([
    () => null,
    () => rng.chance(0.5),
    () => weirdNumber(rng),
    () => weirdString(rng),
    () => [weirdString(rng)],
    () => ({}),
    () => ({ id: weirdString(rng) }),
    () => randomValue(rng, 2),
  ])();
}

/** `[[[...]]]` nested `depth` deep, as JSON text. */
export const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** `{"a":{"a":...}}` nested `depth` deep, as JSON text. */
export const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Keys that pollute prototypes when a parser or merge is careless. */
export const PROTO_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'toString', 'valueOf'];

/** Text-level damage to a JSON body: the ways a client's encoder or the wire breaks it. */
export function mangleJson(rng: Rng, text: string): string {
  const at = rng.int(0, text.length);
  switch (rng.int(0, 9)) {
    case 0:
      return text.slice(0, at); // truncated
    case 1:
      return text.slice(0, at) + rng.pick(['"', '{', '}', ',', ':', '\\', '\u0000', '\ud800', ']']) + text.slice(at);
    case 2:
      return text.replace(/}$/, ',}'); // trailing comma
    case 3:
      return `\ufeff${text}`; // BOM
    case 4:
      return text.replace(/:"[^"]*"/, `:${rng.pick(RAW_TOKENS)}`);
    case 5:
      return text.replace(/}$/, `,"${rng.pick(PROTO_KEYS)}":${rng.pick(['{"polluted":true}', '{"prototype":{"polluted":true}}', '1', 'null'])}}`);
    case 6:
      return text.replace(/^{/, `{${text.slice(1, -1)},`); // every key twice
    case 7:
      return `${text} ${text}`; // two documents
    case 8:
      return `/* comment */${text}`;
    default:
      return text.replace(/"/g, "'");
  }
}
