import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createParser } from 'eventsource-parser';
import { CliError } from './cli-error.js';
import { withConnection, type ConnectionFlags } from './connection.js';
import { pickModel } from './pick-model.js';
import { TranscribeProgressBar } from './transcribe-progress-bar.js';

export interface TranscribeOptions {
  model?: string;
  format: string;
  language?: string;
  translate?: boolean;
  out?: string;
}

interface TranscriptEvent {
  type: string;
  delta?: string;
  end?: number;
  text?: string;
  error?: { message: string };
}

/** Plain text arrives as SSE, segment by segment, so the bar can follow a long file. */
async function streamedText(response: Response, bar: TranscribeProgressBar | undefined): Promise<string> {
  let text: string | undefined;
  let failure: string | undefined;
  const parser = createParser({
    onEvent: (event) => {
      const data = JSON.parse(event.data) as TranscriptEvent;
      if (data.type === 'transcript.text.delta' && data.end !== undefined) bar?.reached(data.end);
      if (data.type === 'transcript.text.done') text = data.text;
      if (data.type === 'error') failure = data.error?.message;
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } finally {
    bar?.stop();
  }
  if (failure !== undefined || text === undefined) throw new CliError(failure ?? 'the transcription stream ended early');
  return text;
}

/** `vocable transcribe file`: text, json, srt, vtt or verbose_json, to stdout or `--out`. */
export async function transcribeCommand(file: string, options: TranscribeOptions, flags: ConnectionFlags): Promise<void> {
  const bytes = await readFile(file).catch(() => Promise.reject(new CliError(`cannot read ${file}`)));
  await withConnection(flags, async (connection) => {
    const model = await pickModel(connection, options.model, { task: 'stt', translate: options.translate });
    const streamed = options.format === 'text';
    const form = new FormData();
    form.append('model', model.id);
    form.append('response_format', streamed ? 'json' : options.format);
    if (streamed) form.append('stream', 'true');
    if (options.language) form.append('language', options.language);
    if (options.format === 'verbose_json') form.append('timestamp_granularities[]', 'segment');
    form.append('file', new Blob([new Uint8Array(bytes)]), basename(file));
    const route = options.translate ? '/v1/audio/translations' : '/v1/audio/transcriptions';
    const response = await connection.call(route, { method: 'POST', body: form });
    const text = streamed ? await streamedText(response, await TranscribeProgressBar.forFile(bytes)) : await response.text();
    if (options.out) await writeFile(options.out, text);
    else process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  });
}
