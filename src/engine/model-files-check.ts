import { readFile, stat } from 'node:fs/promises';

/**
 * Checks sherpa-onnx would otherwise make by exiting the whole process: run at discovery, so a
 * damaged file is reported by name and the server stays up.
 */

/** Every line of a tokens.txt is `<symbol> <integer id>` (the symbol may itself be a space). */
export async function checkTokensFile(path: string): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  const bad = lines.findIndex((line) => line.trim() !== '' && !/(^|\s)-?\d+\s*$/.test(line));
  if (bad >= 0) throw new Error(`${path} line ${bad + 1} is not "<symbol> <id>": the file is damaged or not a tokens file`);
}

/** voices.bin holds `speakers` style tables of `styleDim` floats each. */
export async function checkStyleTable(path: string, speakers: number, styleDim: readonly number[]): Promise<void> {
  const expected = speakers * styleDim.reduce((a, b) => a * b, 1) * Float32Array.BYTES_PER_ELEMENT;
  const { size } = await stat(path);
  if (size !== expected) throw new Error(`voices.bin holds ${size} bytes; the model's metadata needs ${expected} (${speakers} voices × ${styleDim.join('×')} floats)`);
}
