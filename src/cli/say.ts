import { access, constants, readFile, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { OUTPUT_FORMATS, type OutputFormat } from '../audio/encode/index.js';
import { BadSettingError, CliError } from './cli-error.js';
import { withConnection, type ConnectionFlags } from './connection.js';
import { pickModel, pickModelForVoice } from './pick-model.js';

export interface SayOptions {
  model?: string;
  voice?: string;
  ref?: string;
  refText?: string;
  format?: string;
  speed?: string;
  out?: string;
}

/** `-o -`: the audio goes to standard output, the summary line still to standard error. */
const STDOUT = '-';

const isFormat = (value: string): value is OutputFormat => (OUTPUT_FORMATS as readonly string[]).includes(value);

/** `--format` when given, else the `--out` file's extension (`.ogg` holds opus), else wav. */
export function outputFormat(format: string | undefined, out: string | undefined): OutputFormat {
  if (format !== undefined) {
    const lower = format.toLowerCase();
    if (!isFormat(lower)) throw new BadSettingError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, not '${format}'`);
    return lower;
  }
  const extension = out && out !== STDOUT ? extname(out).slice(1).toLowerCase() : '';
  if (extension === 'ogg') return 'opus';
  return isFormat(extension) ? extension : 'wav';
}

function parseSpeed(speed: string | undefined): number | undefined {
  if (speed === undefined) return undefined;
  const value = Number(speed);
  if (speed.trim() === '' || !Number.isFinite(value)) throw new BadSettingError(`--speed must be a number such as 1.25, not '${speed}'`);
  return value;
}

/** Fails before any synthesis when the output cannot be written, so no work is thrown away. */
async function checkWritable(out: string): Promise<void> {
  if (out === STDOUT) return;
  const folder = dirname(out);
  await access(folder, constants.W_OK).catch(() => Promise.reject(new CliError(`cannot write --out ${out}: the folder ${folder} does not exist or is not writable`)));
}

/** `vocable say "text"`: speech into a file (or stdout), with a preset or saved voice, or cloned from `--ref`. */
export async function sayCommand(text: string, options: SayOptions, flags: ConnectionFlags): Promise<void> {
  const speed = parseSpeed(options.speed);
  const format = outputFormat(options.format, options.out);
  const out = options.out ?? `speech.${format}`;
  await checkWritable(out);
  const refAudio = options.ref ? (await readFile(options.ref).catch(() => Promise.reject(new CliError(`cannot read --ref ${options.ref}`)))).toString('base64') : undefined;
  await withConnection(flags, async (connection) => {
    const model =
      options.model === undefined && options.voice !== undefined && !refAudio
        ? await pickModelForVoice(connection, options.voice)
        : await pickModel(connection, options.model, refAudio ? { task: 'tts', cloning: true } : { task: 'tts', speaksUnprompted: options.voice === undefined });
    const voice = options.voice ?? (refAudio ? undefined : (model.capabilities.default_voice ?? undefined));
    const started = performance.now();
    const response = await connection.call('/v1/audio/speech', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A file is written whole, so ask for one: its header then carries exact sizes.
      body: JSON.stringify({ model: model.id, input: text, voice, ref_audio: refAudio, ref_text: options.refText, response_format: format, speed, stream: false }),
    });
    const audio = Buffer.from(await response.arrayBuffer());
    if (out === STDOUT) process.stdout.write(audio);
    else await writeFile(out, audio);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write(`${out === STDOUT ? 'stdout' : out}: ${(audio.length / 1024).toFixed(0)} KiB of ${format} from ${model.id}${voice ? ` (voice ${voice})` : ' (cloned)'} in ${seconds} s\n`);
  });
}
