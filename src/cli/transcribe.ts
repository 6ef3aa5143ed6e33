import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { finished } from 'node:stream/promises';
import { createParser } from 'eventsource-parser';
import { srtCue, VTT_HEADER, vttCue } from '../transcription/formats.js';
import { BadSettingError, CliError } from './cli-error.js';
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
  start?: number;
  end?: number;
  text?: string;
  error?: { message: string };
}

const FORMATS = ['text', 'json', 'srt', 'vtt', 'verbose_json'] as const;
type CliTranscriptFormat = (typeof FORMATS)[number];
/** Formats written as the segments arrive; verbose_json needs the whole transcript (word times, durations), so it waits for the end. */
const STREAMED: ReadonlySet<CliTranscriptFormat> = new Set(['text', 'json', 'srt', 'vtt']);

/** Where the transcript goes, piece by piece: stdout (through the bar, which keeps its own line) or the `--out` file. */
interface Sink {
  write(text: string): void;
  close(): Promise<void>;
}

function sinkFor(out: string | undefined, bar: TranscribeProgressBar | undefined): Sink {
  if (!out) return { write: (text) => (bar ? bar.print(text) : process.stdout.write(text)), close: async () => undefined };
  const file: WriteStream = createWriteStream(out);
  const failed = new Promise<never>((_, reject) => file.once('error', (error) => reject(new CliError(`cannot write --out ${out}: ${error.message}`))));
  failed.catch(() => undefined);
  return {
    write: (text) => void file.write(text),
    close: async () => {
      file.end();
      await Promise.race([finished(file), failed]);
    },
  };
}

/** The pieces of a format as segments arrive: a header, one per segment, a footer from the whole text. */
function formatPieces(format: CliTranscriptFormat) {
  let cues = 0;
  return {
    header: format === 'vtt' ? VTT_HEADER : '',
    segment(event: TranscriptEvent): string {
      const text = (event.delta ?? '').trim();
      if (format === 'json' || text.length === 0) return '';
      if (format === 'text') return cues++ === 0 ? text : ` ${text}`;
      const cue = { start: event.start ?? 0, end: event.end ?? 0, text };
      const separator = cues > 0 ? '\n' : '';
      cues++;
      return separator + (format === 'srt' ? srtCue(cues, cue) : vttCue(cue));
    },
    footer: (text: string) => (format === 'json' ? `${JSON.stringify({ text })}\n` : format === 'text' ? '\n' : ''),
  };
}

/** Reads the SSE transcript stream, writing each segment as it arrives. */
async function streamTranscript(response: Response, format: CliTranscriptFormat, sink: Sink, bar: TranscribeProgressBar | undefined): Promise<void> {
  const pieces = formatPieces(format);
  let done = false;
  let failure: string | undefined;
  sink.write(pieces.header);
  const parser = createParser({
    onEvent: (event) => {
      const data = JSON.parse(event.data) as TranscriptEvent;
      if (data.type === 'transcript.text.delta') {
        if (data.end !== undefined) bar?.reached(data.end);
        sink.write(pieces.segment(data));
      }
      if (data.type === 'transcript.text.done') {
        done = true;
        sink.write(pieces.footer(data.text ?? ''));
      }
      if (data.type === 'error') failure = data.error?.message;
    },
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body!) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  } finally {
    bar?.stop();
  }
  if (failure !== undefined || !done) throw new CliError(failure ?? 'the transcription stream ended early');
}

const isFormat = (value: string): value is CliTranscriptFormat => (FORMATS as readonly string[]).includes(value);

/** `vocable transcribe file`: text, json, srt or vtt streamed segment by segment (verbose_json at the end), to stdout or `--out`. */
export async function transcribeCommand(file: string, options: TranscribeOptions, flags: ConnectionFlags): Promise<void> {
  const format = options.format.toLowerCase();
  if (!isFormat(format)) throw new BadSettingError(`--format must be one of ${FORMATS.join(', ')}, not '${options.format}'`);
  const bytes = await readFile(file).catch(() => Promise.reject(new CliError(`cannot read ${file}`)));
  await withConnection(flags, async (connection) => {
    const model = await pickModel(connection, options.model, { task: 'stt', translate: options.translate });
    const streamed = STREAMED.has(format);
    const form = new FormData();
    form.append('model', model.id);
    form.append('response_format', streamed ? 'json' : format);
    if (streamed) form.append('stream', 'true');
    if (options.language) form.append('language', options.language);
    if (format === 'verbose_json') form.append('timestamp_granularities[]', 'segment');
    form.append('file', new Blob([new Uint8Array(bytes)]), basename(file));
    const route = options.translate ? '/v1/audio/translations' : '/v1/audio/transcriptions';
    const response = await connection.call(route, { method: 'POST', body: form });
    const bar = streamed ? await TranscribeProgressBar.forFile(bytes) : undefined;
    const sink = sinkFor(options.out, bar);
    try {
      if (streamed) await streamTranscript(response, format, sink, bar);
      else {
        const text = await response.text();
        sink.write(text.endsWith('\n') ? text : `${text}\n`);
      }
    } finally {
      await sink.close();
    }
  });
}
