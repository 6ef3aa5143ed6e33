import type { MessagePort } from 'node:worker_threads';
import { ownedBytes } from '../worker-pool.js';
import { createStreamEncoder, type OutputFormat } from './index.js';

/** Runs in the audio worker pool: one response's stream encoder, fed and drained over `port`. */
export interface StreamEncodeArgs {
  format: OutputFormat;
  sampleRate: number;
  port: MessagePort;
}

/** What the request sends, one at a time (it waits for each answer before the next). */
export type EncoderCommand = { type: 'write'; samples: Float32Array } | { type: 'end' } | { type: 'abort' };

/** The answer to a write or an end: the bytes ready (moved, not copied), or what went wrong. */
export type EncoderAnswer = { type: 'bytes'; bytes: Uint8Array } | { type: 'error'; message: string };

/** Encodes until the request ends or aborts the stream, or closes its port (it went away); the codec is then freed. */
export function encodeStreamTask({ format, sampleRate, port }: StreamEncodeArgs): Promise<void> {
  const encoder = createStreamEncoder(format, sampleRate);
  return new Promise<void>((resolve) => {
    let done = false;
    let turn = Promise.resolve();
    const finish = (abort: boolean) => {
      if (done) return;
      done = true;
      if (abort) encoder.abort();
      port.close();
      resolve();
    };
    const answer = async (work: Promise<Buffer>, last: boolean) => {
      try {
        const bytes = ownedBytes(await work);
        port.postMessage({ type: 'bytes', bytes } satisfies EncoderAnswer, [bytes.buffer]);
        if (last) finish(false);
      } catch (error) {
        port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies EncoderAnswer);
        finish(true);
      }
    };
    port.on('message', (command: EncoderCommand) => {
      if (command.type === 'abort') {
        finish(true);
        return;
      }
      // Commands are taken in the order they came, each after the last one's bytes are out.
      turn = turn.then(() => (done ? undefined : answer(command.type === 'write' ? encoder.write(command.samples) : encoder.end(), command.type === 'end')));
    });
    port.on('close', () => finish(true));
  });
}
