import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTranscript, toSrt, toVtt } from '../src/transcription/formats.js';
import { wordsFromTokens, type Transcript } from '../src/transcription/transcript.js';

const transcript: Transcript = {
  task: 'transcribe',
  language: 'en',
  duration: 3725.5,
  segments: [
    { id: 0, start: 0.5, end: 2.25, text: 'Hello there.', words: [] },
    { id: 1, start: 61.004, end: 3725.1, text: 'A long hour later.', words: [] },
  ],
};
const opts = { words: false, segmentsAsked: false, temperature: 0 };

test('srt: numbered cues with comma milliseconds and hours', () => {
  assert.equal(toSrt(transcript.segments), '1\n00:00:00,500 --> 00:00:02,250\nHello there.\n\n2\n00:01:01,004 --> 01:02:05,100\nA long hour later.\n');
});

test('vtt: WEBVTT header, dot milliseconds', () => {
  assert.equal(toVtt(transcript.segments), 'WEBVTT\n\n00:00:00.500 --> 00:00:02.250\nHello there.\n\n00:01:01.004 --> 01:02:05.100\nA long hour later.\n');
});

test('json, text and verbose_json', () => {
  assert.deepEqual(JSON.parse(formatTranscript(transcript, 'json', opts).body), { text: 'Hello there. A long hour later.' });
  assert.equal(formatTranscript(transcript, 'text', opts).body, 'Hello there. A long hour later.\n');
  const verbose = JSON.parse(formatTranscript(transcript, 'verbose_json', opts).body);
  assert.equal(verbose.task, 'transcribe');
  assert.equal(verbose.duration, 3725.5);
  assert.equal(verbose.segments.length, 2);
  assert.deepEqual(Object.keys(verbose.segments[0]).sort(), ['avg_logprob', 'compression_ratio', 'end', 'id', 'no_speech_prob', 'seek', 'start', 'temperature', 'text', 'tokens']);
  assert.equal(verbose.words, undefined, 'no words unless asked');
});

test('words from SentencePiece and Whisper-style tokens, in the file timeline', () => {
  assert.deepEqual(wordsFromTokens(['▁he', 'llo', '▁wor', 'ld'], [0, 0.2, 0.5, 0.7], 10, 11), [
    { word: 'hello', start: 10, end: 10.5 },
    { word: 'world', start: 10.5, end: 11 },
  ]);
  assert.deepEqual(wordsFromTokens([' Hi', ' there', '.'], [0, 0.3, 0.6], 0, 1).map((w) => w.word), ['Hi', 'there.']);
  assert.deepEqual(wordsFromTokens(['你', '好'], [0, 0.4], 0, 1).map((w) => w.word), ['你', '好']);
});
