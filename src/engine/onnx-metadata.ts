import { open, type FileHandle } from 'node:fs/promises';

const METADATA_PROPS_FIELD = 14;
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = start; i < bytes.length; i += 1) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * scale;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
    scale *= 128;
  }
  throw new Error('truncated protobuf varint');
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function decodeEntry(bytes: Uint8Array): [string, string] {
  const text = new TextDecoder();
  let key = '';
  let value = '';
  let pos = 0;
  while (pos < bytes.length) {
    const tag = readVarint(bytes, pos);
    const length = readVarint(bytes, tag.next);
    const field = bytes.subarray(length.next, length.next + length.value);
    if (tag.value >> 3 === 1) key = text.decode(field);
    if (tag.value >> 3 === 2) value = text.decode(field);
    pos = length.next + length.value;
  }
  return [key, value];
}

/**
 * Reads an ONNX file's metadata_props (model-level key/value strings) by walking the top-level
 * protobuf fields and skipping the graph by its length, so a large model is never read whole.
 */
export async function readOnnxMetadata(path: string): Promise<Map<string, string>> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const metadata = new Map<string, string>();
    let pos = 0;
    while (pos < size) {
      const head = await readAt(file, pos, 20);
      const tag = readVarint(head, 0);
      const wire = tag.value & 7;
      if (wire === WIRE_VARINT) {
        pos += readVarint(head, tag.next).next;
      } else if (wire === WIRE_FIXED64) {
        pos += tag.next + 8;
      } else if (wire === WIRE_FIXED32) {
        pos += tag.next + 4;
      } else if (wire === WIRE_LENGTH_DELIMITED) {
        const length = readVarint(head, tag.next);
        if (tag.value >> 3 === METADATA_PROPS_FIELD) {
          const [key, value] = decodeEntry(await readAt(file, pos + length.next, length.value));
          metadata.set(key, value);
        }
        pos += length.next + length.value;
      } else {
        throw new Error(`${path} is not an ONNX model (unexpected protobuf wire type ${wire})`);
      }
      // A field running past the end means a truncated file (an interrupted copy or download).
      if (pos > size) throw new Error(`${path} is truncated: it ends inside the model (${size} bytes)`);
    }
    return metadata;
  } finally {
    await file.close();
  }
}
