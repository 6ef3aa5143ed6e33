import type { Rng } from './rng.js';
import { weirdString } from './values.js';

export interface Part {
  name?: string;
  filename?: string;
  type?: string;
  body: Buffer;
}

export interface RawForm {
  contentType: string | undefined;
  body: Buffer;
  description: string;
}

/** A multipart/form-data body written byte by byte, so the fuzz controls every boundary and header. */
export function encodeParts(boundary: string, parts: Part[], options: { close?: boolean; eol?: string } = {}): Buffer {
  const eol = options.eol ?? '\r\n';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}${eol}`;
    if (part.name !== undefined) head += `Content-Disposition: form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}${eol}`;
    if (part.type !== undefined) head += `Content-Type: ${part.type}${eol}`;
    chunks.push(Buffer.from(head + eol, 'utf8'), part.body, Buffer.from(eol));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--${eol}`));
  return Buffer.concat(chunks);
}

const field = (name: string, value: string): Part => ({ name, body: Buffer.from(value, 'utf8') });

/**
 * A form for transcription or voices, built from a valid one and then broken: boundaries,
 * duplicate or missing fields, extra files, parts without names or filenames, cut-off bodies.
 */
export function mutatedForm(rng: Rng, route: 'transcriptions' | 'voices', clip: Buffer, name: string, fileLimit: number): RawForm {
  const notes: string[] = [];
  const parts: Part[] =
    route === 'transcriptions'
      ? [field('model', 'sensevoice'), ...(rng.chance(0.3) ? [field('response_format', rng.pick(['json', 'text', 'srt', 'verbose_json', 'vtt']))] : [])]
      : [field('name', name), ...(rng.chance(0.5) ? [field('transcript', 'The words in the clip, in full.')] : [])];
  parts.push({ name: 'file', filename: 'clip.wav', type: 'audio/wav', body: clip });
  let boundary = `----fuzz${rng.int(0, 1e9)}`;
  let headerBoundary: string | undefined = boundary;
  let contentType: string | undefined;
  let close = true;
  let eol = '\r\n';
  let cut: number | undefined;

  const mutations = rng.int(1, 3);
  for (let m = 0; m < mutations; m += 1) {
    switch (rng.int(0, 15)) {
      case 0:
        notes.push('no boundary parameter');
        headerBoundary = undefined;
        break;
      case 1:
        notes.push('wrong boundary');
        headerBoundary = 'not-the-boundary';
        break;
      case 2:
        boundary = rng.pick(['', 'x'.repeat(200), 'a b', '"quoted"', '--', 'é']);
        headerBoundary = boundary;
        notes.push(`boundary ${JSON.stringify(boundary.slice(0, 20))}`);
        break;
      case 3: {
        const duplicate = parts.find((p) => p.filename === undefined) ?? field('model', 'sensevoice');
        parts.push({ ...duplicate, body: Buffer.from(rng.pick(['kokoro', 'sensevoice', '', 'other'])) });
        notes.push(`duplicate field ${duplicate.name}`);
        break;
      }
      case 4:
        parts.push({ name: 'file', filename: 'second.wav', body: clip });
        notes.push('two files');
        break;
      case 5: {
        const file = parts.find((p) => p.filename !== undefined);
        if (file) delete file.filename;
        notes.push('file part without filename');
        break;
      }
      case 6: {
        const file = parts.find((p) => p.filename !== undefined);
        if (file) file.body = Buffer.alloc(0);
        notes.push('empty file');
        break;
      }
      case 7:
        parts.push({ body: Buffer.alloc(rng.int(0, 10)) });
        notes.push('part without headers');
        break;
      case 8:
        parts.push({ name: rng.pick(['audio', 'file[]', '', '__proto__', 'constructor']), filename: 'x.wav', body: clip.subarray(0, 100) });
        notes.push('file under another name');
        break;
      case 9:
        parts.push(field(rng.pick(['language', 'prompt', 'temperature', 'timestamp_granularities[]', 'stream', 'response_format', 'transcript', 'model', 'name']), weirdString(rng)));
        notes.push('weird field value');
        break;
      case 10:
        parts.push(field('prompt', 'x'.repeat(rng.pick([65 * 1024, 300 * 1024]))));
        notes.push('oversized text field');
        break;
      case 11:
        for (const p of parts) if (p.filename !== undefined) p.body = Buffer.concat([clip, Buffer.alloc(fileLimit + 1 - clip.length > 0 ? fileLimit + 1 - clip.length : 1)]);
        notes.push('file over the size limit');
        break;
      case 12:
        close = false;
        notes.push('no closing boundary');
        break;
      case 13:
        cut = rng.int(0, 400);
        notes.push('body cut short');
        break;
      case 14:
        eol = '\n';
        notes.push('LF line ends');
        break;
      default:
        for (let i = 0; i < rng.pick([25, 200]); i += 1) parts.push(field(`f${i}`, 'v'));
        notes.push('too many fields');
        break;
    }
  }
  let body = encodeParts(boundary, parts, { close, eol });
  if (cut !== undefined) body = body.subarray(0, Math.max(0, body.length - cut * 50));
  if (rng.chance(0.1)) {
    contentType = rng.pick([undefined, 'multipart/mixed; boundary=' + boundary, 'application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded', 'application/json', 'multipart/form-data; boundary=']);
    notes.push(`content-type ${contentType ?? 'none'}`);
  } else {
    contentType = `multipart/form-data${headerBoundary !== undefined ? `; boundary=${headerBoundary}` : ''}`;
  }
  return { contentType, body, description: `${route}: ${notes.join(', ')}` };
}
