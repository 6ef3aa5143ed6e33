/**
 * What a new user trips over on the command line: flags named in messages, one line and the
 * documented exit code on every failure, `-o -`, the format from the file name, `--version`,
 * "did you mean", the model chosen from the voice, transcripts streamed in every format.
 * In-process over the fixture models (fixture weights: tones, not speech).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { fixtureModelsDir } from '../fixtures/cache.js';
import { SHARED_AUDIO } from './helpers/audio.js';
import { ROOT, runCli } from './helpers/cli.js';
import { testApp } from './helpers/app.js';

let modelsDir: string;
let work: string;
const clip = join(SHARED_AUDIO, 'spk1_snt1.wav');
const jfk = join(SHARED_AUDIO, 'jfk.wav');

before(async () => {
  modelsDir = await fixtureModelsDir();
  work = await mkdtemp(join(tmpdir(), 'vocable-cli-hour-'));
});
after(() => rm(work, { recursive: true, force: true }));

const local = () => ['--models-dir', modelsDir, '--data-dir', join(work, 'data')];

/** One line on stderr, `vocable: …`, and no stack trace. */
function assertOneLine(stderr: string, pattern: RegExp): void {
  assert.match(stderr, /^vocable: [^\n]+\n$/, `one line: ${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  assert.match(stderr, pattern);
}

test('--version prints the package version', async () => {
  const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const run = await runCli(['--version']);
  assert.equal(run.code, 0);
  assert.equal(run.stdout.trim(), version);
});

test('-o - writes the audio to stdout; the format follows the --out extension unless --format is given', async () => {
  const toStdout = await runCli(['say', 'Hello there.', '-m', 'kokoro', '-o', '-', ...local()]);
  assert.equal(toStdout.code, 0, toStdout.stderr);
  assert.equal(toStdout.stdout.slice(0, 4), 'RIFF', 'WAV bytes on stdout');
  assert.match(toStdout.stderr, /^stdout: \d+ KiB of wav/);

  const mp3Path = join(work, 'by-extension.mp3');
  assert.equal((await runCli(['say', 'Hello there.', '-m', 'kokoro', '-o', mp3Path, ...local()])).code, 0);
  const mp3 = await readFile(mp3Path);
  assert.ok(mp3[0] === 0xff || mp3.toString('latin1', 0, 3) === 'ID3', 'an mp3 because the file ends in .mp3');

  const flacPath = join(work, 'explicit.wav');
  assert.equal((await runCli(['say', 'Hello there.', '-m', 'kokoro', '-f', 'FLAC', '-o', flacPath, ...local()])).code, 0);
  assert.equal((await readFile(flacPath)).toString('latin1', 0, 4), 'fLaC', '--format wins over the extension (case-insensitive)');
});

test('bad settings exit with 2 and one line naming the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['say', 'Hi', '--speed', 'fast'], /--speed must be a number/],
    [['say', 'Hi', '--url', 'not a url'], /--url must be a server address/],
    [['say', 'Hi', '--format', 'wma', ...local()], /--format must be one of wav|--format must be one of mp3/],
    [['transcribe', clip, '--format', 'docx', ...local()], /--format must be one of text/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assertOneLine(run.stderr, pattern);
  }
  const unknownFlag = await runCli(['say', 'Hi', '--colour', 'red']);
  assert.equal(unknownFlag.code, 2, 'a usage mistake is a bad setting');
});

test('failures outside the server get one line, no stack trace', async () => {
  const missingFolder = await runCli(['say', 'Hi', '-m', 'kokoro', '-o', join(work, 'no', 'such', 'out.wav'), ...local()]);
  assert.equal(missingFolder.code, 1);
  assertOneLine(missingFolder.stderr, /cannot write --out .*out\.wav: the folder .* does not exist/);

  const unreadable = await runCli(['say', 'Hi', '--ref', join(work, 'absent.wav'), ...local()]);
  assert.equal(unreadable.code, 1);
  assertOneLine(unreadable.stderr, /cannot read --ref .*absent\.wav/);

  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as { port: number }).port;
  try {
    const serve = await runCli(['serve', '--host', '127.0.0.1', '--port', String(port), '--offline', '--models-dir', modelsDir, '--log-format', 'json']);
    assert.equal(serve.code, 2);
    assert.doesNotMatch(serve.stderr, /\n\s+at /, 'no stack trace');
    assert.match(serve.stderr, new RegExp(`vocable: port ${port} .* already in use: .*--port`));
  } finally {
    taken.close();
  }
});

test('messages name flags and commands, not HTTP fields and routes', async () => {
  const noRefText = await runCli(['say', 'Hi', '-m', 'zipvoice', '--ref', clip, ...local()]);
  assert.equal(noRefText.code, 1);
  assertOneLine(noRefText.stderr, /pass --ref-text/);
  assert.doesNotMatch(noRefText.stderr, /ref_text|ref_audio/);

  assert.equal((await runCli(['voices', 'add', 'twice', clip, '-t', 'Words.', ...local()])).code, 0);
  const again = await runCli(['voices', 'add', 'twice', clip, '-t', 'Words.', ...local()]);
  assert.equal(again.code, 1);
  assertOneLine(again.stderr, /vocable voices rm twice/);
  assert.doesNotMatch(again.stderr, /DELETE|\/v1\//);

  const unknownVoice = await runCli(['say', 'Hi', '-m', 'kokoro', '-v', 'nobody', ...local()]);
  assert.doesNotMatch(unknownVoice.stderr, /GET \/v1/);
  assert.match(unknownVoice.stderr, /vocable voices/);
});

test('without --model, the model is chosen from the voice: a preset, or a saved voice', async () => {
  const preset = await runCli(['say', 'Hello.', '--voice', 'af_heart', '-o', join(work, 'heart.wav'), ...local()]);
  assert.equal(preset.code, 0, preset.stderr);
  assert.match(preset.stderr, /from kokoro \(voice af_heart\)/);

  assert.equal((await runCli(['voices', 'add', 'narrator', clip, '-t', 'The words of the clip.', ...local()])).code, 0);
  const saved = await runCli(['say', 'Hello.', '--voice', 'narrator', '-o', join(work, 'narrator.wav'), ...local()]);
  assert.equal(saved.code, 0, saved.stderr);
  assert.match(saved.stderr, /from (pocket|zipvoice) \(voice narrator\)/);

  const neither = await runCli(['say', 'Hello.', '--voice', 'nobody', ...local()]);
  assert.equal(neither.code, 1);
  assertOneLine(neither.stderr, /no installed model has a voice 'nobody'.*af_heart.*narrator/);
});

test('pull suggests the catalogue id closest to a mistyped one', async () => {
  const run = await runCli(['pull', 'whisper-bsae', '--models-dir', join(work, 'models')]);
  assert.equal(run.code, 1);
  assertOneLine(run.stderr, /'whisper-bsae' is not in the catalogue\. Did you mean 'whisper-base'\?/);
});

test('transcribe streams srt, vtt, text and json with the same cues and text as the server answers whole', async () => {
  const { app } = await testApp(modelsDir);
  try {
    for (const format of ['srt', 'vtt', 'text', 'json']) {
      const form = new FormData();
      form.append('model', 'sensevoice');
      form.append('response_format', format);
      form.append('file', new Blob([new Uint8Array(await readFile(jfk))]), 'jfk.wav');
      const request = new Request('http://localhost/v1/audio/transcriptions', { method: 'POST', body: form });
      const whole = await app.inject({ method: 'POST', url: '/v1/audio/transcriptions', headers: Object.fromEntries(request.headers), payload: Buffer.from(await request.arrayBuffer()) });
      assert.equal(whole.statusCode, 200, whole.body);
      const run = await runCli(['transcribe', jfk, '-m', 'sensevoice', '-f', format, ...local()]);
      assert.equal(run.code, 0, run.stderr);
      const expected = format === 'json' ? `${JSON.stringify(whole.json())}\n` : whole.body.endsWith('\n') ? whole.body : `${whole.body}\n`;
      assert.equal(run.stdout.trimEnd(), expected.trimEnd(), `${format} streamed as the server formats it whole`);
      assert.ok(format === 'json' || format === 'text' || (run.stdout.match(/-->/g) ?? []).length >= 2, 'several cues');
    }
  } finally {
    await app.close();
  }
});

test('on a terminal, transcribe keeps the progress bar below the text it prints', async () => {
  const piped = await runCli(['transcribe', jfk, '-m', 'sensevoice', ...local()]);
  const run = await promisify(execFile)('script', ['-qec', `${process.execPath} --import tsx src/cli/main.ts transcribe ${jfk} -m sensevoice ${local().join(' ')}`, '/dev/null'], { cwd: ROOT });
  assert.match(run.stdout, /transcribing \[/, 'the bar was drawn on the terminal');
  // What the terminal shows once the bar's own line is cleared: the transcript, whole and in order.
  const screen = run.stdout
    .replace(/\x1b[78]|\x1b\[\?\d+[lh]/g, '')
    .split(/\r?\n/)
    .map((line) => line.split('\r').pop()!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''))
    .filter((line) => !line.startsWith('transcribing ['))
    .join('\n');
  assert.equal(screen.replace(/\s+/g, ' ').trim(), piped.stdout.trim());
  assert.ok(screen.trim().split('\n').length >= 2, 'each segment on its own line, none drawn over by the bar');
});
