/** The small pieces under the live routes: G.711, deltas from re-decodes, clauses of streamed text, the session timeline, output formats. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AudioTimeline } from '../src/realtime/audio-timeline.js';
import { decodeG711, encodeG711 } from '../src/realtime/g711.js';
import { decodeInputAudio } from '../src/realtime/input-audio.js';
import { parseOutputFormat } from '../src/realtime/output-formats.js';
import { StablePrefix } from '../src/realtime/stable-prefix.js';
import { completeClauses } from '../src/speech/text-chunks.js';

describe('G.711', () => {
  test('every A-law code decodes and encodes back to itself; μ-law too, but for its two zeros', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(encodeG711(decodeG711(codes, 'alaw'), 'alaw'), Buffer.from(codes));
    const mulaw = encodeG711(decodeG711(codes, 'mulaw'), 'mulaw');
    const differing = [...codes].filter((c) => mulaw[c] !== c);
    assert.deepEqual(differing, [0x7f], 'only negative zero comes back as positive zero');
  });

  test("the standard's reference points: silence, full scale, and the sign bit", () => {
    assert.equal(decodeG711(Uint8Array.of(0xff), 'mulaw')[0], 0);
    assert.equal(decodeG711(Uint8Array.of(0x80), 'mulaw')[0], 32124 / 32768);
    assert.equal(decodeG711(Uint8Array.of(0x00), 'mulaw')[0], -32124 / 32768);
    assert.equal(decodeG711(Uint8Array.of(0xd5), 'alaw')[0], 8 / 32768);
    assert.equal(decodeG711(Uint8Array.of(0xaa), 'alaw')[0], 32256 / 32768);
    assert.equal(decodeG711(Uint8Array.of(0x2a), 'alaw')[0], -32256 / 32768);
  });
});

describe('session input audio', () => {
  test('each declared format is decoded by its own rule', () => {
    const wave = Float32Array.from({ length: 80 }, (_, i) => 0.5 * Math.sin(i / 3));
    for (const [type, law] of [['audio/pcmu', 'mulaw'], ['audio/pcma', 'alaw']] as const) {
      const decoded = decodeInputAudio(encodeG711(wave, law), { type });
      assert.ok(decoded.every((s, i) => Math.abs(s - wave[i]!) < 0.02), type);
    }
    const pcm = Buffer.alloc(4);
    pcm.writeInt16LE(16384, 0);
    pcm.writeInt16LE(-32768, 2);
    assert.deepEqual([...decodeInputAudio(pcm, { type: 'audio/pcm', rate: 24000 })], [0.5, -1]);
  });
});

describe('deltas from re-decoding a growing turn', () => {
  test('only words two decodes agree on are sent, each once, with the space that joins them', () => {
    const prefix = new StablePrefix();
    assert.equal(prefix.partial('the quick'), '', 'nothing is sure after one decode');
    assert.equal(prefix.partial('the quick brown'), 'the quick');
    assert.equal(prefix.partial('the quack brown fox'), '', 'a revised word is not sent, nor what follows it');
    assert.equal(prefix.partial('the quick brown fox jumps'), '');
    assert.equal(prefix.partial('the quick brown fox jumps over'), ' brown fox jumps');
    assert.equal(prefix.final('the quick brown fox jumps over the dog'), ' over the dog');
  });

  test('a final text that revises what was sent adds nothing (the completed event carries it whole)', () => {
    const prefix = new StablePrefix();
    prefix.partial('hello there');
    prefix.partial('hello there');
    assert.equal(prefix.final('hello where'), '');
    assert.equal(new StablePrefix().final('  all  of it '), 'all of it');
  });
});

describe('clauses of streamed text', () => {
  test('a clause is complete when more text follows its mark; abbreviations, initials and decimals end nothing', () => {
    assert.deepEqual(completeClauses('Hello there, how are'), { clauses: ['Hello there,'], rest: ' how are' });
    assert.deepEqual(completeClauses('Dr. J. Smith paid 3.50 dollars. Then'), { clauses: ['Dr. J. Smith paid 3.50 dollars.'], rest: ' Then' });
    assert.deepEqual(completeClauses('It ends here.'), { clauses: [], rest: 'It ends here.' }, 'a mark at the end waits: "3." may become "3.14"');
    assert.deepEqual(completeClauses('你好，世界。再见'), { clauses: ['你好，', '世界。'], rest: '再见' });
  });
});

describe('the session timeline', () => {
  test('slices by absolute sample index across chunks, and forgets the front', () => {
    const timeline = new AudioTimeline();
    timeline.append(Float32Array.of(0, 1, 2));
    timeline.append(Float32Array.of(3, 4));
    timeline.append(Float32Array.of(5, 6, 7));
    assert.deepEqual([...timeline.slice(2, 6)], [2, 3, 4, 5]);
    timeline.dropBefore(4);
    assert.equal(timeline.start, 4);
    assert.deepEqual([...timeline.slice(0)], [4, 5, 6, 7], 'what was dropped is gone');
    timeline.clear();
    assert.equal(timeline.start, 8);
    timeline.append(Float32Array.of(8));
    assert.deepEqual([...timeline.slice(8)], [8]);
  });
});

describe("ElevenLabs' output formats", () => {
  test('map to a codec and rate; unknown names and rates are refused with the param', () => {
    assert.deepEqual(parseOutputFormat(), { name: 'mp3_44100_128', codec: 'mp3', sampleRate: 44100 });
    assert.deepEqual(parseOutputFormat('pcm_22050'), { name: 'pcm_22050', codec: 'pcm', sampleRate: 22050 });
    assert.deepEqual(parseOutputFormat('ulaw_8000'), { name: 'ulaw_8000', codec: 'mulaw', sampleRate: 8000 });
    assert.equal(parseOutputFormat('opus_48000_64').codec, 'opus');
    for (const bad of ['wav', 'pcm_12345', 'ulaw_16000', 'alaw_8000_64x', 'mp3_7000_32']) {
      assert.throws(() => parseOutputFormat(bad), (error: { param?: string }) => error.param === 'output_format', bad);
    }
  });
});
