#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_BAD_SETTING } from './cli-error.js';
import { failureLine } from './failure-line.js';
import type { ConnectionFlags } from './connection.js';
import { modelsCommand } from './models.js';
import { pullCommand } from './pull.js';
import { sayCommand, type SayOptions } from './say.js';
import { serve } from './serve.js';
import { transcribeCommand, type TranscribeOptions } from './transcribe.js';
import { addVoiceCommand, listVoicesCommand, removeVoiceCommand } from './voices.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const program = new Command('vocable').description('Vocable: a local, OpenAI-compatible speech server').version(version, '-V, --version');
// A usage mistake (unknown option, missing argument) is a bad setting: exit code 2, as the README documents.
program.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : EXIT_BAD_SETTING));

const modelsDirOption = () => new Option('--models-dir <dir>', 'folder of model folders (VOCABLE_MODELS_DIR, default ./models)');
const catalogueOption = () => new Option('--catalogue <file>', 'JSON file of extra catalogue entries (VOCABLE_CATALOGUE)');

/** Options of the commands that talk to the API: a running server (--url), or the services in-process. */
function withConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', 'a running Vocable server, e.g. http://localhost:8000 (default: run in-process over --models-dir)')
    .option('--api-key <key>', 'the API key of the server at --url (VOCABLE_API_KEY)')
    .addOption(modelsDirOption())
    .option('--data-dir <dir>', 'saved voices, in-process (VOCABLE_DATA_DIR, default ./data)')
    .option('--voice-store <url>', 'saved voices in PostgreSQL instead of --data-dir, in-process (VOCABLE_VOICE_STORE)');
}

/** Commander hands each action its options; the connection's are the ones besides the command's own. */
function connectionFlags(options: Record<string, unknown>): ConnectionFlags {
  const { url, apiKey, modelsDir, dataDir, voiceStore } = options;
  return { url: url as string | undefined, apiKey: apiKey ?? process.env.VOCABLE_API_KEY, modelsDir, dataDir, voiceStore };
}

program
  .command('serve', { isDefault: true })
  .description('start the HTTP server')
  .addOption(new Option('--config <file>', 'JSON file of settings, named as below in camelCase (modelsDir, apiKey, modelAliases, voiceAliases…); environment and flags override it (VOCABLE_CONFIG)'))
  .addOption(new Option('--host <host>', 'address to listen on (VOCABLE_HOST, default 127.0.0.1: this machine only; any other needs --api-key or --allow-open)'))
  .addOption(new Option('--port <port>', 'port to listen on (VOCABLE_PORT, default 8000)'))
  .addOption(modelsDirOption())
  .addOption(new Option('--data-dir <dir>', 'saved voices and server state (VOCABLE_DATA_DIR, default ./data)'))
  .addOption(new Option('--voice-store <url>', 'keep saved voices in PostgreSQL, shared by replicas: postgres://user:password@host/db (VOCABLE_VOICE_STORE; default: files in --data-dir)'))
  .addOption(new Option('--drain-seconds <n>', 'on SIGTERM, answer 503 on /ready this long before closing, so a balancer moves traffic first (VOCABLE_DRAIN_SECONDS, default 0)'))
  .addOption(new Option('--ref-audio-dir <dir>', 'let ref_audio name files in this folder by path (VOCABLE_REF_AUDIO_DIR; off by default)'))
  .addOption(new Option('--memory-budget-bytes <n>', 'memory loaded models may use before the least recently used unloads (VOCABLE_MEMORY_BUDGET_BYTES, default half of RAM)'))
  .addOption(new Option('--idle-unload-seconds <n>', 'unload a model unused this long; 0 never (VOCABLE_IDLE_UNLOAD_SECONDS)'))
  .addOption(new Option('--allow-open', 'accept listening beyond this machine with no API key (VOCABLE_ALLOW_OPEN=1)'))
  .addOption(new Option('--api-key <key>', 'require "Authorization: Bearer <key>" on every route but /health, /ready and the playground (VOCABLE_API_KEY)'))
  .addOption(new Option('--cors-origins <list>', 'comma list of web origins (https://app.example) whose pages may call the API (VOCABLE_CORS_ORIGINS; none by default)'))
  .addOption(new Option('--max-ref-audio-bytes <n>', 'largest ref_audio clip after base64 decoding (VOCABLE_MAX_REF_AUDIO_BYTES, default 20 MiB)'))
  .addOption(new Option('--max-upload-bytes <n>', 'largest audio upload for transcription (VOCABLE_MAX_UPLOAD_BYTES, default 25 MiB)'))
  .addOption(new Option('--max-audio-seconds <n>', 'longest audio transcribed per request (VOCABLE_MAX_AUDIO_SECONDS, default 3600)'))
  .addOption(new Option('--max-input-chars <n>', 'longest speech input (VOCABLE_MAX_INPUT_CHARS, default 4096)'))
  .addOption(new Option('--max-queue <n>', 'requests allowed to wait per model (VOCABLE_MAX_QUEUE, default 16)'))
  .addOption(new Option('--num-threads <n>', 'ONNX Runtime threads per model instance (VOCABLE_NUM_THREADS, default: cores, at most 4)'))
  .addOption(new Option('--instances <n>', 'instances of each model, running side by side (VOCABLE_INSTANCES, default: one per 4 cores)'))
  .addOption(new Option('--worker-threads <n>', 'audio worker threads: decoding, VAD, encoding (VOCABLE_WORKER_THREADS, default: cores)'))
  .addOption(new Option('--max-buffered-bytes <n>', 'request bodies held at once; past it 503 before the body is read (VOCABLE_MAX_BUFFERED_BYTES, default 256 MiB)'))
  .addOption(new Option('--request-timeout-seconds <n>', 'a request (headers and body) must arrive within this (VOCABLE_REQUEST_TIMEOUT_SECONDS, default 300)'))
  .addOption(new Option('--headers-timeout-seconds <n>', 'request headers must arrive within this (VOCABLE_HEADERS_TIMEOUT_SECONDS, default 20)'))
  .addOption(new Option('--keep-alive-timeout-seconds <n>', 'close an idle keep-alive connection after this (VOCABLE_KEEP_ALIVE_TIMEOUT_SECONDS, default 5)'))
  .addOption(new Option('--max-connections <n>', 'open connections held at once (VOCABLE_MAX_CONNECTIONS, default 1024)'))
  .addOption(new Option('--max-connections-per-address <n>', 'open connections from one client address (VOCABLE_MAX_CONNECTIONS_PER_ADDRESS, default 256)'))
  .addOption(new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (VOCABLE_LOG_LEVEL)'))
  .addOption(new Option('--log-format <format>', 'auto (readable on a terminal, JSON otherwise), pretty or json (VOCABLE_LOG_FORMAT)'))
  .addOption(new Option('--offline', 'never download: skip pulling the default models into an empty models folder (VOCABLE_OFFLINE=1)'))
  .addOption(catalogueOption())
  .action(async (options: Record<string, unknown>) => serve(options));

program
  .command('pull')
  .description('download catalogue models into the models folder (resumes an interrupted download; checks size and SHA-256)')
  .argument('<id...>', 'catalogue ids, as `vocable models` lists them')
  .addOption(modelsDirOption())
  .addOption(new Option('--data-dir <dir>', 'where a voice pack\'s voices are saved (VOCABLE_DATA_DIR, default ./data)'))
  .addOption(catalogueOption())
  .action(async (ids: string[], options: Record<string, unknown>) => pullCommand(ids, options));

program
  .command('models')
  .description('list installed models, and the catalogue models that can be pulled')
  .addOption(modelsDirOption())
  .addOption(catalogueOption())
  .option('--json', 'print JSON instead of a table')
  .action(async ({ json, ...options }: Record<string, unknown>) => modelsCommand(options, json === true));

withConnectionOptions(
  program
    .command('say')
    .description('speak text into an audio file, with a preset or saved voice, or cloned from a clip')
    .argument('<text>', 'what to say')
    .option('-m, --model <id>', 'text-to-speech model (default: the first installed that fits)')
    .option('-v, --voice <name>', 'preset or saved voice (default: the model\'s first preset)')
    .option('--ref <clip>', 'clone the voice in this audio file (wav, mp3, flac, ogg, m4a…)')
    .option('--ref-text <text>', 'what the --ref clip says (models that need it)')
    .option('-f, --format <format>', 'wav, mp3, opus, flac, aac or pcm (default: from the --out extension, else wav)')
    .option('--speed <n>', 'speaking rate, 0.25 to 4')
    .option('-o, --out <file>', 'where to write the audio; - for stdout (default: speech.<format>)'),
).action(async (text: string, options: SayOptions & Record<string, unknown>) => sayCommand(text, options, connectionFlags(options)));

withConnectionOptions(
  program
    .command('transcribe')
    .description('transcribe (or translate into English) an audio file')
    .argument('<file>', 'audio file: wav, mp3, flac, ogg/opus, m4a, webm…')
    .option('-m, --model <id>', 'speech-to-text model (default: the first installed that fits)')
    .option('-f, --format <format>', 'text, json, srt, vtt or verbose_json', 'text')
    .option('-l, --language <code>', 'the language spoken, e.g. en (default: detected)')
    .option('--translate', 'translate into English text')
    .option('-o, --out <file>', 'write here instead of stdout'),
).action(async (file: string, options: TranscribeOptions & Record<string, unknown>) => transcribeCommand(file, options, connectionFlags(options)));

const voices = program.command('voices').description('saved voices: list (the default), add, rm');
withConnectionOptions(voices.command('list', { isDefault: true }).description('list saved voices')).action(async (options: Record<string, unknown>) => listVoicesCommand(connectionFlags(options)));
withConnectionOptions(
  voices
    .command('add')
    .description('save a clip as a named voice; without --transcript an installed speech-to-text model fills it in')
    .argument('<name>', 'the voice name (letters, digits, - and _)')
    .argument('<clip>', 'audio file')
    .option('-t, --transcript <text>', 'what the clip says')
    .option('-m, --model <id>', 'the model the voice is meant for'),
).action(async (name: string, clip: string, options: { transcript?: string; model?: string } & Record<string, unknown>) => addVoiceCommand(name, clip, options, connectionFlags(options)));
withConnectionOptions(voices.command('rm').description('delete a saved voice').argument('<name>', 'the voice name')).action(async (name: string, options: Record<string, unknown>) =>
  removeVoiceCommand(name, connectionFlags(options)),
);

program.parseAsync().catch((error: unknown) => {
  const { message, exitCode } = failureLine(error);
  console.error(`vocable: ${message}`);
  if (process.env.VOCABLE_DEBUG) console.error(error);
  process.exit(exitCode);
});
