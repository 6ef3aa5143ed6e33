import type { InjectOptions } from 'fastify';
import { corruptClip, lyingWav, magicWithGarbage } from './audio-cases.js';
import { encodeParts, mutatedForm, type Part } from './multipart-cases.js';
import type { Rng } from './rng.js';
import { deepArray, deepObject, mangleJson, PROTO_KEYS, RAW_TOKENS, randomValue, UNICODE_EDGES, weirdString, wrongValue } from './values.js';

export interface FuzzCase {
  description: string;
  request: InjectOptions;
}

/** What the generators draw on: real clips, a small valid one, and where a fetched URL would land. */
export interface Corpus {
  clips: Map<string, Buffer>;
  /** A short real clip (Opus, ~10 KB), valid as a reference. */
  smallClip: Buffer;
  /** A short real WAV, valid for transcription. */
  smallWav: Buffer;
  /** A URL on a local listener that counts connections: ref_audio URLs must never reach it. */
  trapUrl: string;
  /** The largest upload the fuzz app accepts, in bytes. */
  uploadLimit: number;
}

type Kind = 'string' | 'number' | 'boolean';
const SPEECH_FIELDS: Record<string, Kind> = {
  model: 'string',
  input: 'string',
  voice: 'string',
  response_format: 'string',
  speed: 'number',
  instructions: 'string',
  stream_format: 'string',
  stream: 'boolean',
  sample_rate: 'number',
  ref_audio: 'string',
  ref_text: 'string',
  temperature: 'number',
  top_p: 'number',
  top_k: 'number',
  repetition_penalty: 'number',
  max_tokens: 'number',
  seed: 'number',
  num_steps: 'number',
  guidance_scale: 'number',
  language: 'string',
};
const VOICE_FIELDS: Record<string, Kind> = { name: 'string', audio: 'string', transcript: 'string', model: 'string' };

const json = (url: string, body: unknown): InjectOptions => ({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
const raw = (url: string, payload: string | Buffer, contentType: string | undefined): InjectOptions => ({
  method: 'POST',
  url,
  payload,
  headers: contentType === undefined ? {} : { 'content-type': contentType },
});
const short = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 60)}…(${text.length} chars)` : text;
};
const b64 = (bytes: Buffer) => bytes.toString('base64');
/** What is said in the small clip (spk1_snt1). */
const SMALL_CLIP_TEXT = 'The child almost hurt the small dog.';
/** A transcript long enough for any clip under test: a clip's transcript must hold a character a second. */
const CLIP_TEXT = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

/** A fresh valid voice name, so saves mostly succeed rather than collide. */
export const voiceName = (rng: Rng) => `fz-${rng.int(0, 2 ** 31).toString(36)}${rng.int(0, 2 ** 31).toString(36)}`;

function speechBase(rng: Rng, corpus: Corpus): Record<string, unknown> {
  return rng.pick<() => Record<string, unknown>>([
    () => ({ model: 'kokoro', input: 'Hello there.', voice: 'af_heart', response_format: 'wav' }),
    () => ({ model: 'kokoro', input: 'Hi.', response_format: rng.pick(['mp3', 'opus', 'flac', 'pcm', 'wav']) }),
    () => ({ model: 'kokoro', input: 'Streaming, please.', stream_format: rng.pick(['audio', 'sse']), response_format: 'pcm' }),
    () => ({ model: 'pocket', input: 'Hi.', ref_audio: b64(corpus.smallClip), response_format: 'wav' }),
    () => ({ model: 'zipvoice', input: 'Hi.', ref_audio: b64(corpus.smallClip), ref_text: SMALL_CLIP_TEXT, response_format: 'pcm' }),
  ])();
}

/** A valid body with one to three fields set wrong, removed, or joined by stray keys. */
function mutate(rng: Rng, base: Record<string, unknown>, fields: Record<string, Kind>): { body: Record<string, unknown>; notes: string[] } {
  const body: Record<string, unknown> = { ...base };
  const notes: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i -= 1) {
    const name = rng.pick(Object.keys(fields));
    const op = rng.int(0, 9);
    if (op === 0) {
      delete body[name];
      notes.push(`-${name}`);
    } else if (op === 1) {
      const key = rng.pick([...PROTO_KEYS, 'unknown_field', 'Model', 'INPUT', '']);
      // Defined, not assigned: `body.__proto__ = x` would set the prototype, not send the key.
      Object.defineProperty(body, key, { value: randomValue(rng, 2), enumerable: true, writable: true, configurable: true });
      notes.push(`+${key}=${short(body[key])}`);
    } else {
      body[name] = wrongValue(rng, fields[name]!);
      notes.push(`${name}=${short(body[name])}`);
    }
  }
  return { body, notes };
}

export function speechMutated(rng: Rng, corpus: Corpus): FuzzCase {
  const { body, notes } = mutate(rng, speechBase(rng, corpus), SPEECH_FIELDS);
  return { description: `speech ${body.model === undefined ? '' : short(body.model)} ${notes.join(' ')}`, request: json('/v1/audio/speech', body) };
}

export function speechRandom(rng: Rng): FuzzCase {
  const body =
    rng.chance(0.3)
      ? randomValue(rng, 4)
      : Object.fromEntries(Object.keys(SPEECH_FIELDS).filter(() => rng.chance(0.3)).map((k) => [k, rng.chance(0.3) ? randomValue(rng, 2) : wrongValue(rng, SPEECH_FIELDS[k]!)]));
  return { description: `speech body ${short(body)}`, request: json('/v1/audio/speech', body) };
}

/** Valid requests whose input is hard text; lone surrogates and NUL arrive as JSON escapes. */
export function speechUnicode(rng: Rng): FuzzCase {
  const model = rng.pick(['kokoro', 'kokoro', 'kitten', 'piper']);
  const pieces = Array.from({ length: rng.int(1, 3) }, () => (rng.chance(0.3) ? rng.pick(RAW_TOKENS.filter((t) => t.startsWith('"'))).slice(1, -1) : JSON.stringify(rng.pick(UNICODE_EDGES)).slice(1, -1)));
  const input = pieces.join(rng.pick([' ', '', '. ']));
  const text = `{"model":"${model}","input":"${input}","response_format":"${rng.pick(['wav', 'pcm', 'mp3'])}"}`;
  return { description: `speech ${model} input "${input.slice(0, 60)}"`, request: raw('/v1/audio/speech', text, 'application/json') };
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'APPLICATION/JSON', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', undefined];

/** Raw bodies: broken JSON, deep nesting, number tokens past float range, prototype keys, wrong content types. */
export function rawBody(rng: Rng, corpus: Corpus, url: '/v1/audio/speech' | '/v1/voices'): FuzzCase {
  const valid = url === '/v1/voices' ? { name: voiceName(rng), audio: b64(corpus.smallClip) } : speechBase(rng, corpus);
  let text: string;
  let note: string;
  let contentType: string | undefined = 'application/json';
  switch (rng.int(0, 6)) {
    case 0: {
      const depth = rng.pick([100, 10_000, 10_000, 100_000]);
      const nested = rng.chance(0.5) ? deepArray(depth) : deepObject(depth);
      const where = rng.pick(['body', 'input', 'voice', 'ref_audio', 'name']);
      text = where === 'body' ? nested : JSON.stringify(valid).replace(/}$/, `,"${where}":${nested}}`);
      note = `${depth}-deep nesting in ${where}`;
      break;
    }
    case 1:
    case 2:
      text = mangleJson(rng, JSON.stringify(valid));
      note = `mangled ${short(text)}`;
      break;
    case 3: {
      const key = rng.pick(Object.keys(url === '/v1/voices' ? VOICE_FIELDS : SPEECH_FIELDS));
      const token = rng.pick(RAW_TOKENS);
      text = JSON.stringify(valid).replace(/}$/, `,"${key}":${token}}`);
      note = `${key}=${token}`;
      break;
    }
    case 4:
      text = JSON.stringify(valid).replace(/^{/, `{"${rng.pick(PROTO_KEYS)}":{"polluted":true,"prototype":{"polluted":true}},`);
      note = `prototype key ${short(text.slice(0, 40))}`;
      break;
    case 5:
      text = rng.pick(['', ' ', 'null', '[]', '"text"', '0', 'true', '{}', '\ufeff{}', '{"model":}', '\u0000']);
      note = `body ${JSON.stringify(text)}`;
      break;
    default:
      text = JSON.stringify(valid);
      contentType = rng.pick(CONTENT_TYPES);
      note = `content-type ${contentType ?? 'none'}`;
  }
  return { description: `${url} ${note}`, request: raw(url, text, contentType) };
}

function voiceBase(rng: Rng, corpus: Corpus): Record<string, unknown> {
  return { name: voiceName(rng), audio: b64(corpus.smallClip), ...(rng.chance(0.5) ? { transcript: SMALL_CLIP_TEXT } : {}), ...(rng.chance(0.3) ? { model: rng.pick(['pocket', 'zipvoice', 'kokoro']) } : {}) };
}

export function voicesMutated(rng: Rng, corpus: Corpus): FuzzCase {
  if (rng.chance(0.15)) {
    // The by-name routes: names that are paths, too long, or empty after decoding.
    const name = rng.chance(0.1)
      ? rng.pick(['%E0%A4%A', '%', '%zz', '%00'])
      : encodeURIComponent(rng.pick(['..', '.', '%2e%2e', '../../etc', 'a'.repeat(300), [...weirdString(rng)].slice(0, 300).join(''), 'af_heart', '\u0000', '__proto__', 'constructor']));
    const method = rng.pick(['GET', 'DELETE', 'PATCH'] as const);
    const payload = method === 'PATCH' ? JSON.stringify(rng.chance(0.5) ? { transcript: wrongValue(rng, 'string') } : randomValue(rng, 2)) : undefined;
    return { description: `${method} /v1/voices/${name.slice(0, 60)} ${payload?.slice(0, 60) ?? ''}`, request: { method, url: `/v1/voices/${name}`, ...(payload !== undefined ? { payload, headers: { 'content-type': 'application/json' } } : {}) } };
  }
  const { body, notes } = mutate(rng, voiceBase(rng, corpus), VOICE_FIELDS);
  return { description: `voices ${notes.join(' ')}`, request: json('/v1/voices', body) };
}

/** Where a clip under test goes: cloned from, saved as a voice, or transcribed. */
export function sendClip(rng: Rng, bytes: Buffer, description: string, targets: readonly string[] = ['pocket', 'zipvoice', 'voices-json', 'voices-form', 'transcribe']): FuzzCase {
  const target = rng.pick(targets);
  const form = (fields: Part[]) => {
    const boundary = 'fuzzboundary';
    return raw(`/v1/${target === 'transcribe' ? 'audio/transcriptions' : 'voices'}`, encodeParts(boundary, [...fields, { name: 'file', filename: 'clip', type: 'application/octet-stream', body: bytes }]), `multipart/form-data; boundary=${boundary}`);
  };
  const text = (name: string, value: string): Part => ({ name, body: Buffer.from(value) });
  const request =
    target === 'pocket'
      ? json('/v1/audio/speech', { model: 'pocket', input: 'Hi.', ref_audio: b64(bytes), response_format: 'pcm' })
      : target === 'zipvoice'
        ? json('/v1/audio/speech', { model: 'zipvoice', input: 'Hi.', ref_audio: b64(bytes), ref_text: CLIP_TEXT, response_format: 'pcm' })
        : target === 'voices-json'
          ? json('/v1/voices', { name: voiceName(rng), audio: b64(bytes), transcript: CLIP_TEXT })
          : target === 'voices-form'
            ? form([text('name', voiceName(rng)), text('transcript', CLIP_TEXT)])
            : form([text('model', 'sensevoice')]);
  return { description: `${target}: ${description}`, request };
}

export const corruptClipCase = (rng: Rng, corpus: Corpus): FuzzCase => {
  const { bytes, description } = corruptClip(rng, corpus.clips);
  return sendClip(rng, bytes, description);
};

export const lyingWavCase = (rng: Rng): FuzzCase => {
  const { bytes, description } = lyingWav(rng);
  return sendClip(rng, bytes, description);
};

export const magicCase = (rng: Rng): FuzzCase => {
  const { bytes, description } = magicWithGarbage(rng);
  return sendClip(rng, bytes, description);
};

/** ref_audio (and voices' audio) encodings: whitespace, URL-safe, bad padding, data URIs, URLs and paths. */
export function refAudioEncoding(rng: Rng, corpus: Corpus): FuzzCase {
  const clip = b64(corpus.smallClip);
  const variants: [string, () => string][] = [
    ['plain', () => clip],
    ['whitespace', () => clip.replace(/(.{1,97})/g, (m) => m + rng.pick([' ', '\n', '\r\n', '\t', '  \n ']))],
    ['url-safe', () => corpus.smallClip.toString('base64url')],
    ['url-safe padded', () => clip.replace(/\+/g, '-').replace(/\//g, '_')],
    ['mixed alphabets', () => clip.replace(/\+/, '-').replace(/\//, '_')],
    ['no padding', () => clip.replace(/=+$/, '')],
    ['extra padding', () => `${clip}${rng.pick(['=', '==', '===', '===='])}`],
    ['padding inside', () => `${clip.slice(0, 100)}==${clip.slice(100)}`],
    ['length 4n+1', () => `${clip}A`],
    ['bad characters', () => clip.slice(0, 200) + rng.pick(['@', '%', '*', 'é', '\u0000', '.', '"', '\\']) + clip.slice(200)],
    ['data URI', () => `data:${rng.pick(['audio/wav', 'audio/ogg; codecs=opus', 'application/octet-stream', '', 'text/html', 'image/png', ';;;', 'audio/x-wav;charset=utf-8', 'a'.repeat(5000)])};base64,${clip}`],
    ['DATA URI upper case', () => `DATA:AUDIO/OGG;BASE64,${clip}`],
    ['data URI, not base64', () => `data:audio/ogg,${encodeURIComponent(corpus.smallClip.toString('latin1'))}`],
    ['data URI, empty', () => rng.pick(['data:audio/wav;base64,', 'data:,', 'data:'])],
    ['URL', () => `${rng.pick(['http', 'https', 'HTTP', 'ftp', 'file', 'gopher', 's3', 'ws'])}://${corpus.trapUrl.replace(/^http:\/\//, '')}`],
    ['trap URL', () => `${rng.pick(['', ' ', '\n'])}${corpus.trapUrl}${rng.pick(['', '?x=1', '#a'])}`],
    ['scheme-relative URL', () => corpus.trapUrl.replace(/^http:/, '')],
    ['path', () => rng.pick(['/etc/passwd', '../../../../etc/passwd', 'voices/me.wav', 'C:\\clips\\a.wav', '~/a.flac', '/proc/self/environ', 'clip.wav'])],
    ['double base64', () => Buffer.from(clip).toString('base64')],
    ['base64 of text', () => Buffer.from(weirdString(rng)).toString('base64')],
    ['base64 of random bytes', () => rng.bytes(rng.int(0, 5000)).toString('base64')],
    ['empty', () => rng.pick(['', ' ', '\n', '=', '===='])],
  ];
  const [name, make] = rng.pick(variants);
  const value = make();
  const target = rng.pick(['pocket', 'zipvoice', 'voices']);
  const request =
    target === 'voices'
      ? json('/v1/voices', { name: voiceName(rng), audio: value, transcript: SMALL_CLIP_TEXT })
      : json('/v1/audio/speech', { model: target, input: 'Hi.', ref_audio: value, ...(target === 'zipvoice' ? { ref_text: SMALL_CLIP_TEXT } : {}), response_format: 'pcm' });
  return { description: `${target} ref_audio ${name}: ${short(value)}`, request };
}

export function multipartCase(rng: Rng, corpus: Corpus): FuzzCase {
  const route = rng.chance(0.6) ? 'transcriptions' : 'voices';
  const { contentType, body, description } = mutatedForm(rng, route, corpus.smallWav, voiceName(rng), corpus.uploadLimit);
  const url = route === 'voices' ? '/v1/voices' : rng.chance(0.9) ? '/v1/audio/transcriptions' : '/v1/audio/translations';
  return { description, request: raw(url, body, contentType) };
}
