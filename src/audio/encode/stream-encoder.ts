import { VocableError } from '../../errors.js';

/** Encodes audio incrementally: push float chunks as they are made, bytes come out as soon as the codec has them. */
export interface StreamEncoder {
  /** Bytes ready to send after this chunk (may be empty). */
  write(samples: Float32Array): Promise<Buffer>;
  /** Flushes: the last bytes. */
  end(): Promise<Buffer>;
  /** Stops early (client went away): frees native/WASM/child-process resources; never throws. */
  abort(): void;
}

/** A format whose encoder needs something this machine lacks; the message says what to install. */
export class EncoderUnavailableError extends VocableError {
  constructor(message: string) {
    super('encoder_unavailable', message, 'response_format');
  }
}
