/** The rate OpenAI's Realtime API takes `audio/pcm` at; the browser resamples the microphone to it. */
export const LIVE_SAMPLE_RATE = 24000;
/** Samples per callback: about 170 ms at 24 kHz, small enough for the transcript to follow speech. */
const FRAME = 4096;

/**
 * The microphone as 16-bit little-endian PCM at 24 kHz, delivered in frames as it is captured.
 * ScriptProcessorNode keeps this to one file (an AudioWorklet needs a module of its own).
 */
export class MicStream {
  private context: AudioContext | undefined;
  private stream: MediaStream | undefined;

  static get supported(): boolean {
    return typeof AudioContext !== 'undefined' && typeof navigator.mediaDevices?.getUserMedia === 'function';
  }

  async start(onFrame: (pcm: Uint8Array) => void): Promise<void> {
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    this.context = new AudioContext({ sampleRate: LIVE_SAMPLE_RATE });
    const source = this.context.createMediaStreamSource(this.stream);
    const processor = this.context.createScriptProcessor(FRAME, 1, 1);
    processor.onaudioprocess = (event) => onFrame(toPcm16(event.inputBuffer.getChannelData(0)));
    source.connect(processor);
    // A script processor only runs while connected to the output; it writes silence there.
    processor.connect(this.context.destination);
  }

  async stop(): Promise<void> {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    await this.context?.close();
    this.stream = undefined;
    this.context = undefined;
  }
}

function toPcm16(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  samples.forEach((sample, i) => view.setInt16(i * 2, Math.round(Math.max(-1, Math.min(1, sample)) * 32767), true));
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let at = 0; at < bytes.length; at += 0x8000) binary += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  return btoa(binary);
}
