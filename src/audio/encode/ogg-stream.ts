import { randomInt } from 'node:crypto';

/** A packet and the granule position (codec-defined time) at its end. */
export interface OggPacket {
  data: Buffer;
  granule: number;
}

const HEADER_BYTES = 27;
const MAX_LACING_VALUES = 255;
const FLAG_FIRST_PAGE = 0x02;
const FLAG_LAST_PAGE = 0x04;

/** The Ogg checksum: CRC-32 with polynomial 0x04c11db7, unreflected, initial value 0. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 24;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  return crc >>> 0;
});

function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

/** How a packet's length is spelled in a page's segment table: 255s, then a last value under 255. */
function lacingValues(length: number): number[] {
  return [...Array<number>(Math.floor(length / 255)).fill(255), length % 255];
}

/** One logical Ogg bitstream (RFC 3533), written page by page as packets come. */
export class OggStream {
  private readonly serial = randomInt(0, 2 ** 32);
  private sequence = 0;

  /**
   * Pages holding these packets, whole (no packet continues onto another page: those of Opus
   * and of its headers are far under a page's 255 lacing values). Packets of separate calls
   * never share a page, so a call can end a header or flush what is ready to send.
   */
  pages(packets: readonly OggPacket[], last = false): Buffer {
    const pages: Buffer[] = [];
    let start = 0;
    while (start < packets.length) {
      let end = start;
      let lacing: number[] = [];
      while (end < packets.length) {
        const next = lacingValues(packets[end]!.data.length);
        if (lacing.length + next.length > MAX_LACING_VALUES && end > start) break;
        lacing = lacing.concat(next);
        end += 1;
      }
      const isLast = last && end === packets.length;
      pages.push(this.page(packets.slice(start, end), lacing, isLast));
      start = end;
    }
    return Buffer.concat(pages);
  }

  private page(packets: readonly OggPacket[], lacing: readonly number[], last: boolean): Buffer {
    const header = Buffer.alloc(HEADER_BYTES + lacing.length);
    header.write('OggS', 0, 'ascii');
    header.writeUInt8(0, 4);
    header.writeUInt8((this.sequence === 0 ? FLAG_FIRST_PAGE : 0) | (last ? FLAG_LAST_PAGE : 0), 5);
    header.writeBigInt64LE(BigInt(packets.at(-1)!.granule), 6);
    header.writeUInt32LE(this.serial, 14);
    header.writeUInt32LE(this.sequence, 18);
    header.writeUInt8(lacing.length, 26);
    Buffer.from(lacing).copy(header, HEADER_BYTES);
    this.sequence += 1;
    const page = Buffer.concat([header, ...packets.map((p) => p.data)]);
    page.writeUInt32LE(oggCrc(page), 22);
    return page;
  }
}
