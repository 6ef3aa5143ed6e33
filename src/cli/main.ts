#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG, envName, type Config } from '../config.js';
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

const MIB = 1024 * 1024;

/** A setting's default as help shows it: sizes in MiB, switches as how to turn them on. */
function shownDefault(key: keyof Config): string | undefined {
  const value = DEFAULT_CONFIG[key];
  if (typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return key.endsWith('Bytes') && value % MIB === 0 ? `${value / MIB} MiB` : String(value);
  return typeof value === 'string' ? value : undefined;
}

/**
 * The flag of a config setting. Its help names the environment variable and the default, both
 * read from src/config.ts, so help cannot drift from what the server does; `defaultText` words a
 * default that depends on the machine (cores, RAM) or needs a why.
 */
function setting(flags: string, key: keyof Config, description: string, defaultText = shownDefault(key)): Option {
  const env = typeof DEFAULT_CONFIG[key] === 'boolean' ? `${envName(key)}=1` : envName(key);
  return new Option(flags, `${description} (${env}${defaultText === undefined ? '' : `, default ${defaultText}`})`);
}

const modelsDirOption = () => setting('--models-dir <dir>', 'modelsDir', 'folder of model folders');
const catalogueOption = () => setting('--catalogue <file>', 'catalogue', 'JSON file of extra catalogue entries');

/** Options of the commands that talk to the API: a running server (--url), or the services in-process. */
function withConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', 'a running Vocable server, e.g. http://localhost:8000 (default: run in-process over --models-dir)')
    .addOption(setting('--api-key <key>', 'apiKey', 'the API key of the server at --url'))
    .addOption(setting('--config <file>', 'config', 'JSON file of settings, as for serve (the API key, folders)'))
    .addOption(modelsDirOption())
    .addOption(setting('--data-dir <dir>', 'dataDir', 'saved voices, in-process'))
    .addOption(setting('--voice-store <url>', 'voiceStore', 'saved voices in PostgreSQL instead of --data-dir, in-process'));
}

/** Commander hands each action its options; the connection's are the ones besides the command's own. */
function connectionFlags(options: Record<string, unknown>): ConnectionFlags {
  const { url, config, apiKey, modelsDir, dataDir, voiceStore } = options;
  return { url: url as string | undefined, config, apiKey, modelsDir, dataDir, voiceStore };
}

program
  .command('serve', { isDefault: true })
  .description('start the HTTP server')
  .addOption(setting('--config <file>', 'config', 'JSON file of settings, named as below in camelCase (modelsDir, apiKey, modelAliases, voiceAliases…); environment and flags override it'))
  .addOption(setting('--host <host>', 'host', 'address to listen on', `${DEFAULT_CONFIG.host}: this machine only; any other needs --api-key or --allow-open`))
  .addOption(setting('--port <port>', 'port', 'port to listen on'))
  .addOption(modelsDirOption())
  .addOption(setting('--data-dir <dir>', 'dataDir', 'saved voices and server state'))
  .addOption(setting('--voice-store <url>', 'voiceStore', 'keep saved voices in PostgreSQL, shared by replicas: postgres://user:password@host/db', 'files in --data-dir'))
  .addOption(setting('--drain-seconds <n>', 'drainSeconds', 'on SIGTERM, answer 503 on /ready this long before closing, so a balancer moves traffic first'))
  .addOption(setting('--ref-audio-dir <dir>', 'refAudioDir', 'let ref_audio name files in this folder by path', 'off'))
  .addOption(setting('--memory-budget-bytes <n>', 'memoryBudgetBytes', 'memory loaded models may use before the least recently used unloads', 'half of RAM'))
  .addOption(setting('--idle-unload-seconds <n>', 'idleUnloadSeconds', 'unload a model unused this long; 0 never'))
  .addOption(setting('--allow-open', 'allowOpen', 'accept listening beyond this machine with no API key'))
  .addOption(setting('--api-key <key>', 'apiKey', 'require "Authorization: Bearer <key>" on every route but /health, /ready and the playground'))
  .addOption(setting('--cors-origins <list>', 'corsOrigins', 'comma list of web origins (https://app.example) whose pages may call the API', 'none'))
  .addOption(setting('--max-ref-audio-bytes <n>', 'maxRefAudioBytes', 'largest ref_audio clip after base64 decoding'))
  .addOption(setting('--max-upload-bytes <n>', 'maxUploadBytes', 'largest audio upload for transcription'))
  .addOption(setting('--max-audio-seconds <n>', 'maxAudioSeconds', 'longest audio transcribed per request'))
  .addOption(setting('--max-input-chars <n>', 'maxInputChars', 'longest speech input'))
  .addOption(setting('--max-queue <n>', 'maxQueue', 'requests allowed to wait per model'))
  .addOption(setting('--num-threads <n>', 'numThreads', 'ONNX Runtime threads per model instance', 'cores, at most 4'))
  .addOption(setting('--instances <n>', 'instances', 'instances of each model, running side by side', 'one per 4 cores'))
  .addOption(setting('--worker-threads <n>', 'workerThreads', 'audio worker threads: decoding, VAD, encoding', 'cores'))
  .addOption(setting('--max-buffered-bytes <n>', 'maxBufferedBytes', 'request bodies held at once; past it 503 before the body is read'))
  .addOption(setting('--request-timeout-seconds <n>', 'requestTimeoutSeconds', 'a request (headers and body) must arrive within this'))
  .addOption(setting('--headers-timeout-seconds <n>', 'headersTimeoutSeconds', 'request headers must arrive within this'))
  .addOption(setting('--keep-alive-timeout-seconds <n>', 'keepAliveTimeoutSeconds', 'close an idle keep-alive connection after this'))
  .addOption(setting('--max-connections <n>', 'maxConnections', 'open connections held at once'))
  .addOption(setting('--max-connections-per-address <n>', 'maxConnectionsPerAddress', 'open connections from one client address'))
  .addOption(setting('--log-level <level>', 'logLevel', 'fatal, error, warn, info, debug, trace or silent'))
  .addOption(setting('--log-format <format>', 'logFormat', 'auto (readable on a terminal, JSON otherwise), pretty or json'))
  .addOption(setting('--offline', 'offline', 'never download: skip pulling the default models into an empty models folder'))
  .addOption(catalogueOption())
  .action(async (options: Record<string, unknown>) => serve(options));

program
  .command('pull')
  .description('download catalogue models into the models folder (resumes an interrupted download; checks size and SHA-256)')
  .argument('<id...>', 'catalogue ids, as `vocable models` lists them')
  .addOption(modelsDirOption())
  .addOption(setting('--data-dir <dir>', 'dataDir', 'where a voice pack\'s voices are saved'))
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
