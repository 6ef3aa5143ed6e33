/**
 * Hostile model archives for pull, written header by header (node-tar's Header and Pax), so
 * each holds exactly the entry under test: links, devices, FIFOs, absolute and `..` paths (also
 * smuggled in a pax header), lying sizes, truncations, and entry-count bombs, each placed among
 * ordinary model files at a seeded position and compressed as tar.bz2 or tar.gz.
 */
import { execFileSync, spawn } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';
import type { Rng } from './rng.js';

export type Compression = 'tar.bz2' | 'tar.gz';

export interface HostileArchive {
  label: string;
  format: Compression;
  bytes: Buffer;
  /** What the refusal must say. */
  expect: RegExp;
  /** Paths outside the models folder the archive tries to write (relative to the models folder's parent, or absolute). */
  escapes: string[];
}

const BLOCK = 512;

function entry(data: HeaderData, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = new Header({ mode: 0o644, mtime: new Date(0), uid: 0, gid: 0, size: body.length, ...data });
  header.encode();
  const padded = Buffer.alloc(Math.ceil(body.length / BLOCK) * BLOCK);
  body.copy(padded);
  return Buffer.concat([header.block!, padded]);
}

/** A pax extended header that renames the next entry (what GNU tar writes for long names). */
function paxPath(path: string): Buffer {
  return new Pax({ path }).encode();
}

const END = Buffer.alloc(2 * BLOCK);

export function compress(tarBytes: Buffer, format: Compression): Buffer {
  return format === 'tar.gz' ? gzipSync(tarBytes) : execFileSync('bzip2', ['-c'], { input: tarBytes, maxBuffer: 1 << 30 });
}

/** The ordinary part of a model archive: its top folder and a few files. */
function ordinary(rng: Rng): Buffer[] {
  return [
    entry({ path: 'model/', type: 'Directory', mode: 0o755 }),
    entry({ path: 'model/README.md', type: 'File' }, Buffer.from('a model\n')),
    entry({ path: 'model/weights.bin', type: 'File' }, rng.bytes(rng.int(1, 3000))),
  ];
}

interface Hostile {
  label: string;
  blocks: Buffer[];
  expect: RegExp;
  escapes: string[];
}

function hostileEntries(rng: Rng, tag: string): Hostile[] {
  const outside = `vocable-escape-${tag}`;
  const file = (path: string) => entry({ path, type: 'File' }, Buffer.from('escaped\n'));
  return [
    { label: 'symlink to /etc/passwd', blocks: [entry({ path: 'model/tokens.txt', type: 'SymbolicLink', linkpath: '/etc/passwd', size: 0 })], expect: /symbolic link to '\/etc\/passwd'/, escapes: [] },
    { label: 'symlink out with ..', blocks: [entry({ path: 'model/out', type: 'SymbolicLink', linkpath: `../../${outside}`, size: 0 }), file('model/out/x')], expect: /symbolic link/, escapes: [outside] },
    { label: 'symlink inside', blocks: [entry({ path: 'model/alias', type: 'SymbolicLink', linkpath: 'README.md', size: 0 })], expect: /symbolic link to 'README\.md'/, escapes: [] },
    { label: 'hard link to /etc/passwd', blocks: [entry({ path: 'model/passwd', type: 'Link', linkpath: '/etc/passwd', size: 0 })], expect: /hard link/, escapes: [] },
    { label: 'hard link inside', blocks: [entry({ path: 'model/again', type: 'Link', linkpath: 'model/README.md', size: 0 })], expect: /hard link/, escapes: [] },
    { label: 'absolute path', blocks: [file(`/tmp/${outside}`)], expect: /absolute path/, escapes: [`/tmp/${outside}`] },
    { label: 'parent path', blocks: [file(`../${outside}`)], expect: /climbs out of its folder/, escapes: [outside] },
    { label: 'parent path inside a folder', blocks: [file(`model/sub/../../../${outside}`)], expect: /climbs out of its folder/, escapes: [outside] },
    { label: 'parent path in a pax header', blocks: [paxPath(`../${outside}`), file('model/innocent.txt')], expect: /climbs out of its folder/, escapes: [outside] },
    { label: 'absolute path in a pax header', blocks: [paxPath(`/tmp/${outside}`), file('model/innocent.txt')], expect: /absolute path/, escapes: [`/tmp/${outside}`] },
    { label: 'FIFO', blocks: [entry({ path: 'model/pipe', type: 'FIFO', size: 0 })], expect: /named pipe/, escapes: [] },
    { label: 'character device', blocks: [entry({ path: 'model/zero', type: 'CharacterDevice', devmaj: 1, devmin: 5, size: 0 } as HeaderData)], expect: /character device/, escapes: [] },
    { label: 'block device', blocks: [entry({ path: 'model/disk', type: 'BlockDevice', devmaj: 8, devmin: 0, size: 0 } as HeaderData)], expect: /block device/, escapes: [] },
    { label: 'entry-count bomb', blocks: Array.from({ length: 60 + rng.int(0, 20) }, (_, i) => entry({ path: `model/many/${i}`, type: 'File', size: 0 })), expect: /holds more than 50 entries/, escapes: [] },
    { label: 'header larger than the limit', blocks: [entry({ path: 'model/huge.bin', type: 'File', size: 1 << 30 }).subarray(0, BLOCK)], expect: /holds 'model\/huge\.bin' of 1073741824 bytes, more than/, escapes: [] },
  ];
}

/** One hostile archive per kind, with the hostile entry at a seeded place among the ordinary ones. */
export function hostileArchives(rng: Rng, format: Compression, tag: string): HostileArchive[] {
  return hostileEntries(rng, tag).map((hostile) => {
    const blocks = ordinary(rng);
    blocks.splice(rng.int(1, blocks.length), 0, ...hostile.blocks);
    return { label: hostile.label, format, bytes: compress(Buffer.concat([...blocks, END]), format), expect: hostile.expect, escapes: hostile.escapes };
  });
}

/** Archives that are not whole: cut short, or garbage after a valid start. */
export function brokenArchives(rng: Rng, format: Compression): HostileArchive[] {
  const whole = compress(Buffer.concat([...ordinary(rng), END]), format);
  return [
    { label: 'cut short', format, bytes: whole.subarray(0, rng.int(20, whole.length - 20)), expect: /cannot be unpacked/, escapes: [] },
    { label: 'garbage', format, bytes: Buffer.concat([whole.subarray(0, 10), rng.bytes(rng.int(100, 2000))]), expect: /cannot be unpacked/, escapes: [] },
  ];
}

/**
 * A tar stream of `files` files of `fileBytes` zeros each, compressed as it is made: a bomb a few
 * hundred bytes (bz2) or KB (gz) long whose every header is modest; only its total is not.
 */
export async function zeroBomb(files: number, fileBytes: number, format: Compression): Promise<Buffer> {
  const zeros = Buffer.alloc(Math.ceil(fileBytes / BLOCK) * BLOCK);
  async function* tarStream(): AsyncGenerator<Buffer> {
    for (let i = 0; i < files; i += 1) {
      yield entry({ path: `model/zeros-${i}.bin`, type: 'File', size: fileBytes }).subarray(0, BLOCK);
      yield zeros;
    }
    yield END;
  }
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  if (format === 'tar.gz') {
    await pipeline(Readable.from(tarStream()), createGzip({ level: 9 }), sink);
  } else {
    const bzip2 = spawn('bzip2', ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await Promise.all([pipeline(Readable.from(tarStream()), bzip2.stdin), pipeline(bzip2.stdout, sink)]);
  }
  return Buffer.concat(chunks);
}

/** An otherwise plain archive whose file is setuid and world-writable, and whose folder is world-writable. */
export function oddModesArchive(format: Compression): Buffer {
  const blocks = [entry({ path: 'model/', type: 'Directory', mode: 0o777 }), entry({ path: 'model/run.sh', type: 'File', mode: 0o4777 }, Buffer.from('#!/bin/sh\n'))];
  return compress(Buffer.concat([...blocks, END]), format);
}
