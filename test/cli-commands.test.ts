/**
 * `vocable say | transcribe | voices`, run as a user runs them: in-process over the fixture models
 * (fixture weights: tones, not speech), and against a running server with --url and --api-key.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SENSEVOICE_TEXT } from '../fixtures/sensevoice.js';
import { parseWav, SHARED_AUDIO } from './helpers/audio.js';
import { ROOT, runCli, startServer } from './helpers/cli.js';

let modelsDir: string;
let work: string;
const clip = join(SHARED_AUDIO, 'spk1_snt1.wav');

before(async () => {
  modelsDir = await fixtureModelsDir();
  work = await mkdtemp(join(tmpdir(), 'vocable-cli-'));
});
after(() => rm(work, { recursive: true, force: true }));

const local = () => ['--models-dir', modelsDir, '--data-dir', join(work, 'data')];

test('say writes speech with a preset voice, and a clone from --ref, into the --out file', async () => {
  const preset = join(work, 'preset.wav');
  const run = await runCli(['say', 'Hello there, this is a test.', '-m', 'kokoro', '-v', 'am_adam', '-o', preset, ...local()]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /preset\.wav: \d+ KiB of wav from kokoro \(voice am_adam\) in [\d.]+ s/);
  const wav = parseWav(await readFile(preset));
  assert.ok(wav.samples.length / wav.sampleRate > 0.5, 'seconds of audio');

  const cloned = join(work, 'cloned.mp3');
  const clone = await runCli(['say', 'Cloned words.', '--ref', clip, '-f', 'mp3', '-o', cloned, ...local()]);
  assert.equal(clone.code, 0, clone.stderr);
  assert.match(clone.stderr, /from \w+ \(cloned\)/);
  const mp3 = await readFile(cloned);
  assert.ok(mp3.length > 1000 && (mp3[0] === 0xff || mp3.toString('latin1', 0, 3) === 'ID3'), 'an mp3 file');
});

test('say and transcribe fail with exit code 1 and one line that says what is wrong', async () => {
  const unknown = await runCli(['say', 'Hi', '-m', 'nope', ...local()]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^vocable: The model 'nope' does not exist\. Installed models: .*kokoro/);
  const missing = await runCli(['transcribe', join(work, 'absent.wav'), ...local()]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^vocable: cannot read .*absent\.wav\n$/);
  const unreachable = await runCli(['voices', '--url', 'http://127.0.0.1:1']);
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^vocable: cannot reach http:\/\/127\.0\.0\.1:1 .*is the server running\?/);
});

test('transcribe prints srt in-process, and text from a running server with --url and --api-key', async () => {
  const srt = await runCli(['transcribe', clip, '-m', 'sensevoice', '-f', 'srt', ...local()]);
  assert.equal(srt.code, 0, srt.stderr);
  assert.match(srt.stdout, new RegExp(`^1\\n00:00:\\d\\d,\\d{3} --> 00:00:\\d\\d,\\d{3}\\n${SENSEVOICE_TEXT}\\n`));

  const server = await startServer(['--models-dir', modelsDir, '--api-key', 'cli-secret', '--offline']);
  try {
    const text = await runCli(['transcribe', clip, '-m', 'sensevoice', '--url', server.url, '--api-key', 'cli-secret']);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, `${SENSEVOICE_TEXT}\n`);
    const denied = await runCli(['transcribe', clip, '-m', 'sensevoice', '--url', server.url, '--api-key', 'wrong']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /^vocable: Invalid API key/);
    // One config path: the key may come from the config file, as it does for serve.
    const configFile = join(work, 'client.json');
    await writeFile(configFile, JSON.stringify({ apiKey: 'cli-secret' }));
    const fromFile = await runCli(['transcribe', clip, '-m', 'sensevoice', '--url', server.url, '--config', configFile]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, `${SENSEVOICE_TEXT}\n`);
  } finally {
    await server.stop();
  }
});

test('voices add, list and rm manage saved voices; say uses one by name', async () => {
  const add = await runCli(['voices', 'add', 'narrator', clip, ...local()]);
  assert.equal(add.code, 0, add.stderr);
  assert.match(add.stdout, new RegExp(`saved voice narrator \\([\\d.]+ s\\): ${SENSEVOICE_TEXT}`), 'transcribed by the installed speech-to-text model');
  const list = await runCli(['voices', ...local()]);
  assert.match(list.stdout, new RegExp(`^narrator\\t[\\d.]+ s\\t${SENSEVOICE_TEXT}\\n$`));
  const say = await runCli(['say', 'In my voice.', '-m', 'pocket', '-v', 'narrator', '-o', join(work, 'narrator.wav'), ...local()]);
  assert.equal(say.code, 0, say.stderr);
  assert.match(say.stderr, /from pocket \(voice narrator\)/);
  assert.equal((await runCli(['voices', 'rm', 'narrator', ...local()])).code, 0);
  assert.match((await runCli(['voices', 'list', ...local()])).stderr, /no saved voices yet/);
});

test('--help on each command says what it does and what it takes', async () => {
  for (const [command, pattern] of [
    ['say', /speak text into an audio file[\s\S]*--ref <clip>[\s\S]*--url <url>/],
    ['transcribe', /transcribe \(or translate into English\)[\s\S]*--format <format>[\s\S]*--translate/],
    ['voices', /saved voices: list \(the default\), add, rm/],
    ['pull', /<id\.\.\.>[\s\S]*download catalogue models/],
    ['models', /list installed models, and the catalogue models/],
  ] as const) {
    const help = await runCli([command, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, pattern);
  }
});

test('on a terminal, transcribe shows a progress bar that follows the segments through the file', async () => {
  // util-linux's script gives the command a pseudo-terminal, as a person's shell would.
  const command = ['npx', 'tsx', 'src/cli/main.ts', 'transcribe', join(SHARED_AUDIO, 'jfk.wav'), '-m', 'sensevoice', '--models-dir', modelsDir, '--data-dir', join(work, 'data')].join(' ');
  const run = await new Promise<string>((resolve, reject) =>
    execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const frames = run.split(/\r|\x1b\[1G/).filter((frame) => frame.startsWith('transcribing ['));
  assert.ok(frames.length >= 2, `progress frames: ${JSON.stringify(frames)}`);
  const percents = frames.map((frame) => Number(/(\d+)% \| \d+:\d\d of 0:11/.exec(frame)?.[1]));
  assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'the bar only moves forward');
  assert.ok(percents.at(-1)! >= 90, `it ends near the end of the file (${percents.at(-1)}%)`);
  assert.match(run, new RegExp(SENSEVOICE_TEXT));
});
