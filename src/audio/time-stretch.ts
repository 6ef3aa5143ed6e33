import Sonic from '@echogarden/sonic-wasm';

interface SonicModule {
  HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _sonicCreateStream(sampleRate: number, channels: number): number;
  _sonicDestroyStream(stream: number): void;
  _sonicSetSpeed(stream: number, speed: number): void;
  _sonicWriteFloatToStream(stream: number, samples: number, count: number): number;
  _sonicFlushStream(stream: number): number;
  _sonicSamplesAvailable(stream: number): number;
  _sonicReadFloatFromStream(stream: number, samples: number, max: number): number;
}

let sonic: Promise<SonicModule> | undefined;
/** The WebAssembly module, compiled once for the process. */
const loadSonic = (): Promise<SonicModule> => (sonic ??= Sonic() as Promise<SonicModule>);

/**
 * Changes the speaking rate of mono speech without changing its pitch (Sonic's pitch-synchronous
 * overlap-add, built for speech), for models whose engine cannot. Streaming: audio pushed in
 * pieces comes out in pieces; `finish` drains the rest and frees the native stream.
 */
export class TimeStretcher {
  private constructor(
    private readonly module: SonicModule,
    private stream: number,
  ) {}

  static async create(sampleRate: number, speed: number): Promise<TimeStretcher> {
    const module = await loadSonic();
    const stream = module._sonicCreateStream(sampleRate, 1);
    module._sonicSetSpeed(stream, speed);
    return new TimeStretcher(module, stream);
  }

  push(samples: Float32Array): Float32Array {
    if (samples.length > 0) {
      const pointer = this.module._malloc(samples.length * 4);
      try {
        this.module.HEAPF32.set(samples, pointer / 4);
        this.module._sonicWriteFloatToStream(this.stream, pointer, samples.length);
      } finally {
        this.module._free(pointer);
      }
    }
    return this.drain();
  }

  /** The audio still inside, and the native stream freed; the stretcher is done after this. */
  finish(): Float32Array {
    this.module._sonicFlushStream(this.stream);
    const rest = this.drain();
    this.dispose();
    return rest;
  }

  /** Frees the native stream (idempotent), for a request that ends early. */
  dispose(): void {
    if (this.stream === 0) return;
    this.module._sonicDestroyStream(this.stream);
    this.stream = 0;
  }

  private drain(): Float32Array {
    const available = this.module._sonicSamplesAvailable(this.stream);
    if (available === 0) return new Float32Array(0);
    const pointer = this.module._malloc(available * 4);
    try {
      const read = this.module._sonicReadFloatFromStream(this.stream, pointer, available);
      return this.module.HEAPF32.slice(pointer / 4, pointer / 4 + read);
    } finally {
      this.module._free(pointer);
    }
  }
}
