/**
 * The length in seconds of a PCM WAV file, from its `fmt ` and `data` chunks. A streamed file's
 * data size may be a placeholder, so the bytes actually present are the upper bound.
 */
export function wavSeconds(bytes: ArrayBuffer): number {
  const view = new DataView(bytes);
  const tag = (offset: number) => String.fromCharCode(...new Uint8Array(bytes, offset, 4));
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return 0;
  let bytesPerSecond = 0;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const size = view.getUint32(offset + 4, true);
    if (tag(offset) === 'fmt ') bytesPerSecond = view.getUint32(offset + 16, true);
    if (tag(offset) === 'data') {
      const present = Math.min(size, bytes.byteLength - offset - 8);
      return bytesPerSecond > 0 ? present / bytesPerSecond : 0;
    }
    offset += 8 + size + (size % 2);
  }
  return 0;
}
