import cliProgress from 'cli-progress';
import { decodeAudioStream } from '../audio/decode-stream.js';

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

/** Seconds of audio in a file, decoded piece by piece (nothing kept), for the bar's total. */
async function audioSeconds(bytes: Uint8Array): Promise<number | undefined> {
  try {
    let seconds = 0;
    for await (const piece of decodeAudioStream(bytes)) seconds += piece.samples.length / piece.sampleRate;
    return seconds;
  } catch {
    // The server will say what is wrong with the file; the bar is only a courtesy.
    return undefined;
  }
}

/**
 * A progress bar on stderr for a transcription: how far into the file the finished segments
 * reach. Only on a terminal; elsewhere (pipes, logs) it stays silent.
 */
export class TranscribeProgressBar {
  private readonly bar = new cliProgress.SingleBar(
    { format: 'transcribing [{bar}] {percentage}% | {at} of {length}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  private started = false;

  static async forFile(bytes: Uint8Array): Promise<TranscribeProgressBar | undefined> {
    if (!process.stderr.isTTY) return undefined;
    const seconds = await audioSeconds(bytes);
    return seconds ? new TranscribeProgressBar(seconds) : undefined;
  }

  private constructor(private readonly seconds: number) {}

  /** The latest finished segment ends `end` seconds into the file. */
  reached(end: number): void {
    const at = Math.min(end, this.seconds);
    if (!this.started) this.bar.start(this.seconds, at, { at: clock(at), length: clock(this.seconds) });
    this.started = true;
    this.bar.update(at, { at: clock(at) });
  }

  /**
   * Writes transcript text to stdout. On a terminal the bar's line is cleared first and the bar
   * drawn again on the line below the text (the line break goes to stderr, so what stdout
   * carries is the same as through a pipe).
   */
  print(text: string): void {
    const sharesTerminal = this.started && process.stdout.isTTY === true;
    if (sharesTerminal) process.stderr.write('\r\x1b[K');
    process.stdout.write(text);
    if (!sharesTerminal) return;
    if (!text.endsWith('\n')) process.stderr.write('\n');
    this.bar.render();
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}
