declare module 'unbzip2-stream' {
  import type { Duplex } from 'node:stream';
  /** A stream that bunzip2-decompresses what is written to it. */
  export default function unbzip2Stream(): Duplex;
}
