import { sherpa } from '../native/sherpa.js';

/** Resamples audio that arrives in pieces, carrying the filter state across them. */
export class StreamResampler {
  private readonly resampler?: InstanceType<typeof sherpa.LinearResampler>;

  constructor(readonly from: number, readonly to: number) {
    if (from !== to) this.resampler = new sherpa.LinearResampler(from, to);
  }

  push(samples: Float32Array): Float32Array {
    return this.resampler ? this.resampler.resample(samples) : samples;
  }

  flush(): Float32Array {
    return this.resampler ? this.resampler.flush(new Float32Array(0)) : new Float32Array(0);
  }
}
