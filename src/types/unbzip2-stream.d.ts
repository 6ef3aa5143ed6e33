/** The block decoder inside unbzip2-stream (a port of seek-bzip). */
declare module 'unbzip2-stream/lib/bzip2.js' {
  type BitReader = (n: number | null) => number;
  const bzip2: {
    /** Reads the stream header; returns the block size (1-9, in 100 kB). */
    header(bits: BitReader): number;
    /** Decodes one block, calling `write` per byte; returns the running CRC, or null at the stream's end. */
    decompress(bits: BitReader, write: (byte: number) => void, buf: Int32Array, bufsize: number, streamCRC: number | null): number | null;
  };
  export default bzip2;
}

declare module 'unbzip2-stream/lib/bit_iterator.js' {
  /** A bit reader over the buffers `next` returns in turn; `bytesRead` counts the bytes it has begun. */
  export default function bitIterator(next: () => Buffer | undefined): ((n: number | null) => number) & { bytesRead: number };
}
