import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkJoiner } from '../src/audio/chunk-joiner.js';
import { splitText } from '../src/speech/text-chunks.js';

test('splits at sentence ends, keeping abbreviations, initials and numbers whole', () => {
  assert.deepEqual(splitText('Hello there. Dr. Smith paid $3.14 for 1,000 apples, e.g. the red ones! Did J. R. R. Tolkien write it? Yes… "Quoted." The end'), [
    'Hello there.',
    'Dr. Smith paid $3.14 for 1,000 apples, e.g. the red ones!',
    'Did J. R. R. Tolkien write it?',
    'Yes…',
    '"Quoted."',
    'The end',
  ]);
});

test('a sentence longer than the limit is split at clauses, then at spaces', () => {
  const chunks = splitText('This is a long sentence, with many clauses; each adds words: and more words follow here — until it is too long, surely', 50);
  assert.deepEqual(chunks, ['This is a long sentence, with many clauses;', 'each adds words: and more words follow here —', 'until it is too long, surely']);
  const words = splitText(Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '), 40);
  assert.ok(words.every((c) => c.length <= 40));
  assert.equal(words.join(' '), Array.from({ length: 60 }, (_, i) => `word${i}`).join(' '));
});

test('CJK sentence marks split too; whitespace-only input gives no chunks', () => {
  assert.deepEqual(splitText('你好。我很好！谢谢'), ['你好。', '我很好！', '谢谢']);
  assert.deepEqual(splitText(' \n\t '), []);
});

test('no text is lost or reordered in a long input', () => {
  const text = Array.from({ length: 200 }, (_, i) => `Sentence ${i}, with a clause; and ${i * 1.5} things.`).join(' ');
  assert.equal(splitText(text, 120).join(' '), text);
});

test('the joiner fades chunk edges and puts a silence between chunks, none after the last', () => {
  const rate = 1000;
  const joiner = new ChunkJoiner(rate, 0.1, 0.01);
  const ones = (n: number) => new Float32Array(n).fill(1);
  const out: number[] = [];
  out.push(...joiner.push(ones(50)), ...joiner.push(ones(50)), ...joiner.endChunk());
  assert.equal(out.length, 100);
  assert.equal(out[0], 0, 'fades in');
  assert.equal(out[50], 1, 'untouched in the middle');
  assert.ok(out[99]! < 0.2, 'fades out');
  const second = [...joiner.push(ones(30)), ...joiner.endChunk()];
  assert.equal(second.length, 100 + 30, 'a 0.1 s gap, then the chunk');
  assert.ok(second.slice(0, 100).every((s) => s === 0));
});
