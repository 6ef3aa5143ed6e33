import { ChunkJoiner } from '../audio/chunk-joiner.js';
import { StreamResampler } from '../audio/resample-stream.js';
import { TimeStretcher } from '../audio/time-stretch.js';
import type { ModelPool } from '../engine/model-pool.js';
import { chunkGapSeconds } from '../engine/family.js';
import { EngineError, InvalidRequestError } from '../errors.js';
import { AudioChannel } from './audio-channel.js';
import type { SpeechPlan } from './plan-speech.js';
import { assertTextSpoken, TextNotSpokenError } from './spoken-text.js';

const NOTHING_TO_SAY = /produced no audio/;

/**
 * Runs a plan's text chunks through the engine in order, as one job on the model's queue, and
 * yields audio at the plan's output rate as the engine makes it (its progress callback), joined
 * without clicks. When `signal` aborts (the client went away) the callback tells the engine to
 * stop and no further chunk starts, so the model is free again within one engine step.
 */
/** Far slower than anyone speaks (about 0.07 s a character at speed 1), yet a bound on a model that runs away. */
const MAX_SECONDS_PER_CHAR = 1;
const MIN_MAX_SECONDS = 30;

function maxOutputSeconds(plan: SpeechPlan): number {
  return MIN_MAX_SECONDS + (MAX_SECONDS_PER_CHAR * plan.inputChars) / plan.settings.speed;
}

/** A model making far more audio than its input could need: stopped, so one request cannot fill memory. */
class RunawayOutputError extends InvalidRequestError {
  constructor(model: string, seconds: number, chars: number) {
    super(
      `Model '${model}' made over ${Math.round(seconds)} s of audio for ${chars} characters and was stopped. With cloning, check that ref_text is what the clip says.`,
      null,
      'output_too_long',
    );
  }
}

export function generateSpeech(plan: SpeechPlan, pool: ModelPool, signal: AbortSignal): AsyncIterable<Float32Array> {
  const channel = new AudioChannel();
  const { model } = plan;
  const job = pool.runTts(model.id, async (engine) => {
    const joiner = new ChunkJoiner(engine.sampleRate, chunkGapSeconds(model.family));
    const resampler = new StreamResampler(engine.sampleRate, plan.outputRate);
    // An engine that cannot change its rate speaks at 1 and its audio is stretched to the speed asked.
    const stretcher = model.capabilities.speed === 'time_stretch' && plan.settings.speed !== 1 ? await TimeStretcher.create(engine.sampleRate, plan.settings.speed) : undefined;
    const engineSpeed = stretcher ? 1 : plan.settings.speed;
    const send = (samples: Float32Array) => channel.push(resampler.push(stretcher ? stretcher.push(samples) : samples));
    try {
      const maxSamples = engine.sampleRate * maxOutputSeconds(plan);
      // A family that may skip text it cannot read holds each chunk back until its length is
      // checked, so a dropped chunk is an error, never audio with a gap.
      const holdBack = model.family.skipsUnreadableText;
      let total = 0;
      for (const text of plan.chunks) {
        if (signal.aborted) return;
        let streamed = 0;
        const held: Float32Array[] = [];
        const pass = (samples: Float32Array) => (holdBack ? held.push(samples) : send(joiner.push(samples)));
        let result;
        try {
          result = await engine.generateAsync({
            ...model.family.generateRequest({ ...plan.settings, speed: engineSpeed, text }),
            onProgress: ({ samples }) => {
              if (signal.aborted || total + streamed > maxSamples) return 0;
              streamed += samples.length;
              pass(samples);
              return 1;
            },
          });
        } catch (error) {
          if (signal.aborted) return;
          // Some families throw on text they find nothing to say in (NUL, a zero-width space) where
          // others return no samples: the input's fault, so the chunk is empty rather than a 500.
          if (!NOTHING_TO_SAY.test((error as Error).message)) {
            throw new EngineError(`Model '${model.id}' failed to synthesize "${text.slice(0, 40)}": ${(error as Error).message}`);
          }
          result = { samples: new Float32Array(0), sampleRate: engine.sampleRate };
        }
        if (streamed === 0) pass(result.samples);
        const made = streamed || result.samples.length;
        if (holdBack) {
          const seconds = made / engine.sampleRate;
          const { language } = plan.settings;
          assertTextSpoken(text, seconds, engineSpeed, (letters) => new TextNotSpokenError(model.id, text, seconds, letters, language, model.capabilities.languages));
          for (const samples of held) send(joiner.push(samples));
        }
        total += made;
        if (total > maxSamples) throw new RunawayOutputError(model.id, maxSamples / engine.sampleRate, plan.inputChars);
        send(joiner.endChunk());
      }
      if (stretcher) channel.push(resampler.push(stretcher.finish()));
      channel.push(resampler.flush());
    } finally {
      stretcher?.dispose();
    }
  });
  job.then(
    () => channel.close(),
    (error: unknown) => channel.fail(error),
  );
  return channel;
}
