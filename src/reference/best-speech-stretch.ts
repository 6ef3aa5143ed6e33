import type { MonoAudio } from '../audio/pcm.js';
import { resample } from '../audio/resample.js';
import { STT_SAMPLE_RATE, vadSegments } from '../audio/speech-segments.js';

interface Span {
  start: number;
  end: number;
}

/** Silence kept around the chosen speech, so its first and last sounds are not clipped. */
const EDGE_SECONDS = 0.15;

async function* once(samples: Float32Array): AsyncGenerator<Float32Array> {
  yield samples;
}

/**
 * Where Silero hears speech in `clip`, in seconds, in pieces of at most `maxSeconds` (sherpa-onnx
 * lets a segment run past its maximum, so a longer one is cut here).
 */
async function speechSpans(clip: MonoAudio, vadModel: string, maxSeconds: number): Promise<Span[]> {
  const spans: Span[] = [];
  for await (const segment of vadSegments(once(resample(clip, STT_SAMPLE_RATE).samples), vadModel, maxSeconds)) {
    const end = segment.start + segment.samples.length / STT_SAMPLE_RATE;
    for (let start = segment.start; start < end; start += maxSeconds) spans.push({ start, end: Math.min(end, start + maxSeconds) });
  }
  return spans;
}

/** The run of consecutive spans that fits in `seconds` and holds the most speech. */
function densestRun(spans: readonly Span[], seconds: number): Span | undefined {
  let best: { span: Span; speech: number } | undefined;
  for (let first = 0; first < spans.length; first += 1) {
    let speech = 0;
    for (let last = first; last < spans.length && spans[last]!.end - spans[first]!.start <= seconds; last += 1) {
      speech += spans[last]!.end - spans[last]!.start;
      if (!best || speech > best.speech) best = { span: { start: spans[first]!.start, end: spans[last]!.end }, speech };
    }
  }
  return best?.span;
}

/**
 * The `seconds` of `clip` that hold the most speech, cut at pauses Silero VAD finds, so a long
 * clip with silences or music in it gives the model speech rather than its first seconds.
 * Without speech found, the clip's start.
 */
export async function bestSpeechStretch(clip: MonoAudio, seconds: number, vadModel: string): Promise<MonoAudio> {
  const run = densestRun(await speechSpans(clip, vadModel, seconds), seconds);
  const length = Math.round(seconds * clip.sampleRate);
  if (!run) return { samples: clip.samples.slice(0, length), sampleRate: clip.sampleRate };
  const edge = Math.min(EDGE_SECONDS, (seconds - (run.end - run.start)) / 2);
  const start = Math.max(0, Math.round((run.start - edge) * clip.sampleRate));
  const end = Math.min(clip.samples.length, start + length, Math.round((run.end + edge) * clip.sampleRate));
  return { samples: clip.samples.slice(start, end), sampleRate: clip.sampleRate };
}
