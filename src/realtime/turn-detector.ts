import type { NativeVad } from '../native/sherpa.js';
import { giveVad, MIN_SPEECH_SECONDS, STT_SAMPLE_RATE, takeVad, VAD_WINDOW, type VadSettings } from '../audio/speech-segments.js';

/** Where speech starts and stops, as sample indices on the session's 16 kHz timeline. */
export type TurnEvent = { kind: 'started'; start: number } | { kind: 'stopped'; end: number };

/**
 * sherpa-onnx dates a segment's start this far before the window in which speech is confirmed
 * (`voice-activity-detector.cc`: two windows plus the minimum speech duration).
 */
const START_LAG = 2 * VAD_WINDOW + MIN_SPEECH_SECONDS * STT_SAMPLE_RATE;

/**
 * Server VAD for a live session: Silero fed one window at a time (as `vadSegments` does), telling
 * when speech starts and when its closing silence has lasted long enough to end the turn.
 */
export class TurnDetector {
  private readonly vad: NativeVad;
  private readonly pending = new Float32Array(VAD_WINDOW);
  private pendingLength = 0;
  /** Samples the detector has been fed since it was (re)set, and where on the session's timeline that was. */
  private fed = 0;
  private origin: number;
  private speaking = false;

  constructor(private readonly settings: VadSettings, origin: number) {
    this.vad = takeVad(settings);
    this.origin = origin;
  }

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** Feeds samples that follow the last ones; returns the starts and stops they revealed, in order. */
  push(samples: Float32Array): TurnEvent[] {
    const events: TurnEvent[] = [];
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(VAD_WINDOW - this.pendingLength, samples.length - at);
      this.pending.set(samples.subarray(at, at + take), this.pendingLength);
      this.pendingLength += take;
      at += take;
      if (this.pendingLength < VAD_WINDOW) break;
      this.pendingLength = 0;
      this.vad.acceptWaveform(this.pending);
      this.fed += VAD_WINDOW;
      this.collect(events);
    }
    return events;
  }

  private collect(events: TurnEvent[]): void {
    while (!this.vad.isEmpty()) {
      const segment = this.vad.front(false);
      this.vad.pop();
      if (!this.speaking) events.push({ kind: 'started', start: this.origin + segment.start });
      events.push({ kind: 'stopped', end: this.origin + segment.start + segment.samples.length });
      this.speaking = false;
    }
    if (!this.speaking && this.vad.isDetected()) {
      this.speaking = true;
      events.push({ kind: 'started', start: Math.max(this.origin, this.origin + this.fed - START_LAG) });
    }
  }

  /** Forgets everything heard (the client cleared its buffer); timing continues from `origin`. */
  reset(origin: number): void {
    this.vad.reset();
    this.pendingLength = 0;
    this.fed = 0;
    this.origin = origin;
    this.speaking = false;
  }

  release(): void {
    giveVad(this.settings, this.vad);
  }
}
