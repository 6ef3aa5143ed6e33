import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliError } from './cli-error.js';
import { withConnection, type ConnectionFlags } from './connection.js';
import { pickModel } from './pick-model.js';

export interface TranscribeOptions {
  model?: string;
  format: string;
  language?: string;
  translate?: boolean;
  out?: string;
}

/** `vocable transcribe file`: text, json, srt, vtt or verbose_json, to stdout or `--out`. */
export async function transcribeCommand(file: string, options: TranscribeOptions, flags: ConnectionFlags): Promise<void> {
  const bytes = await readFile(file).catch(() => Promise.reject(new CliError(`cannot read ${file}`)));
  await withConnection(flags, async (connection) => {
    const model = await pickModel(connection, options.model, { task: 'stt', translate: options.translate });
    const form = new FormData();
    form.append('model', model.id);
    form.append('response_format', options.format);
    if (options.language) form.append('language', options.language);
    if (options.format === 'verbose_json') form.append('timestamp_granularities[]', 'segment');
    form.append('file', new Blob([new Uint8Array(bytes)]), basename(file));
    const route = options.translate ? '/v1/audio/translations' : '/v1/audio/transcriptions';
    const text = await (await connection.call(route, { method: 'POST', body: form })).text();
    if (options.out) await writeFile(options.out, text);
    else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  });
}
