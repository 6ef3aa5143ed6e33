import { Transform } from 'node:stream';
import { DownloadError } from '../errors.js';
import bitIterator from 'unbzip2-stream/lib/bit_iterator.js';
import bzip2 from 'unbzip2-stream/lib/bzip2.js';

/** The output passed the limit: decoding stopped there, mid-block if need be. */
export class BunzipLimitError extends DownloadError {
  constructor(message: string) {
    super(message, 'bad_archive');
  }
}

const OUT_CHUNK = 64 * 1024;
/** Input the decoder keeps ahead of a block (as unbzip2-stream does): a compressed block is at most 100 kB × its size. */
const LOOKAHEAD = 25_000;

/**
 * bzip2 decoding as a stream, over unbzip2-stream's block decoder. Its own stream wrapper
 * gathers each block as an array of numbers (over a gigabyte for one 45 MB block of zeros) and
 * cannot stop inside a block; this one writes into buffers and stops the moment its output
 * passes `maxBytes`, so a bomb costs at most that much.
 */
export function bunzip2Stream(maxBytes: number): Transform {
  const queue: Buffer[] = [];
  let received = 0;
  let bits: ReturnType<typeof bitIterator> | undefined;
  let blockSize = 0;
  let crc: number | null = null;
  let work: Int32Array | undefined;
  let produced = 0;
  let out = Buffer.allocUnsafe(OUT_CHUNK);
  let used = 0;

  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      queue.push(chunk);
      received += chunk.length;
      bits ??= bitIterator(() => queue.shift());
      try {
        while (received - bits.bytesRead + 1 >= LOOKAHEAD + 100_000 * blockSize) decodeNext(bits);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        if (!bits) throw new Error('empty input, not bzip2 data');
        while (received > bits.bytesRead) decodeNext(bits);
        if (crc !== null) throw new Error('the bzip2 data ends inside a block');
        if (used > 0) stream.push(out.subarray(0, used));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });

  function write(byte: number): void {
    produced += 1;
    if (produced > maxBytes) throw new BunzipLimitError(`bzip2 data decodes to more than ${maxBytes} bytes`);
    out[used++] = byte;
    if (used === OUT_CHUNK) {
      stream.push(out);
      out = Buffer.allocUnsafe(OUT_CHUNK);
      used = 0;
    }
  }

  /** Reads a stream header, or decodes one block (a null CRC marks a stream's end; another may follow). */
  function decodeNext(reader: NonNullable<typeof bits>): void {
    if (blockSize === 0) {
      blockSize = bzip2.header(reader);
      crc = 0;
      return;
    }
    if (work?.length !== 100_000 * blockSize) work = new Int32Array(100_000 * blockSize);
    crc = bzip2.decompress(reader, write, work, work.length, crc);
    if (crc === null) blockSize = 0;
  }

  return stream;
}
