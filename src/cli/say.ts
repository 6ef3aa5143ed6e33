import { readFile, writeFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';
import { withConnection, type ConnectionFlags } from './connection.js';
import { pickModel } from './pick-model.js';

export interface SayOptions {
  model?: string;
  voice?: string;
  ref?: string;
  refText?: string;
  format: string;
  speed?: string;
  out?: string;
}

/** `vocable say "text"`: speech into a file, with a preset or saved voice, or cloned from `--ref`. */
export async function sayCommand(text: string, options: SayOptions, flags: ConnectionFlags): Promise<void> {
  const speed = options.speed === undefined ? undefined : Number(options.speed);
  if (speed !== undefined && !Number.isFinite(speed)) throw new CliError(`--speed must be a number, not '${options.speed}'`);
  const refAudio = options.ref ? (await readFile(options.ref).catch(() => Promise.reject(new CliError(`cannot read --ref ${options.ref}`)))).toString('base64') : undefined;
  const out = options.out ?? `speech.${options.format}`;
  await withConnection(flags, async (connection) => {
    const model = await pickModel(connection, options.model, { task: 'tts', cloning: refAudio ? true : options.voice ? undefined : false });
    const voice = options.voice ?? (refAudio ? undefined : model.capabilities.voices?.[0]);
    const started = performance.now();
    const response = await connection.call('/v1/audio/speech', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A file is written whole, so ask for one: its header then carries exact sizes.
      body: JSON.stringify({ model: model.id, input: text, voice, ref_audio: refAudio, ref_text: options.refText, response_format: options.format, speed, stream: false }),
    });
    const audio = Buffer.from(await response.arrayBuffer());
    await writeFile(out, audio);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    process.stderr.write(`${out}: ${(audio.length / 1024).toFixed(0)} KiB of ${options.format} from ${model.id}${voice ? ` (voice ${voice})` : ' (cloned)'} in ${seconds} s\n`);
  });
}
