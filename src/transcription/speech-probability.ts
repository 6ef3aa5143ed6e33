import { readFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Silero VAD v5's speech probability, computed here from the model's own weights. sherpa-onnx
 * runs the same model to cut speech segments but reports only its yes/no decision, while
 * `no_speech_prob` wants the probability itself; the network is small (an STFT, four
 * convolutions, one LSTM cell), so it is evaluated in plain TypeScript: about a million
 * multiply-adds per 32 ms window, on 16 kHz audio, exactly as the ONNX graph computes it.
 */
const WINDOW = 512;
/** v5 reads each window with the last 64 samples of the one before. */
const CONTEXT = 64;
const FILTER = 256;
const HOP = 128;
/** The STFT's right padding (reflected), as in the graph's Pad node. */
const STFT_PAD = 64;
const BINS = FILTER / 2 + 1;
const HIDDEN = 128;
/** Windows between turns of the event loop. */
const WINDOWS_PER_TURN = 4;

interface Conv {
  weight: Float32Array;
  bias: Float32Array;
  outChannels: number;
  inChannels: number;
  stride: number;
}

interface SileroWeights {
  basis: Float32Array;
  encoder: Conv[];
  weightIh: Float32Array;
  weightHh: Float32Array;
  biasIh: Float32Array;
  biasHh: Float32Array;
  outWeight: Float32Array;
  outBias: number;
}

const ENCODER_STRIDES = [1, 2, 2, 1];

function tensorData(tensor: onnxProto.onnx.ITensorProto): Float32Array {
  if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(tensor.floatData ?? []);
}

/** The 16 kHz branch's weights, by the names PyTorch's export gave them. */
export async function loadSileroWeights(modelPath: string): Promise<SileroWeights> {
  const model = onnx.ModelProto.decode(await readFile(modelPath));
  const branch = model.graph?.node?.find((n) => n.opType === 'If')?.attribute?.find((a) => a.name === 'then_branch')?.g;
  const weights = new Map<string, { data: Float32Array; dims: number[] }>();
  for (const node of branch?.node ?? []) {
    const tensor = node.opType === 'Constant' ? node.attribute?.[0]?.t : undefined;
    const name = /__([a-z_.0-9]+\.(?:weight|bias|weight_ih|weight_hh|bias_ih|bias_hh|forward_basis_buffer))$/.exec(node.output?.[0] ?? '')?.[1];
    if (tensor && name) weights.set(name, { data: tensorData(tensor), dims: (tensor.dims ?? []).map(Number) });
  }
  const take = (name: string) => {
    const found = weights.get(name);
    if (!found) throw new Error(`${modelPath} is not Silero VAD v5: it has no ${name}`);
    return found;
  };
  return {
    basis: take('stft.forward_basis_buffer').data,
    encoder: ENCODER_STRIDES.map((stride, i) => {
      const weight = take(`encoder.${i}.reparam_conv.weight`);
      return { weight: weight.data, bias: take(`encoder.${i}.reparam_conv.bias`).data, outChannels: weight.dims[0]!, inChannels: weight.dims[1]!, stride };
    }),
    weightIh: take('decoder.rnn.weight_ih').data,
    weightHh: take('decoder.rnn.weight_hh').data,
    biasIh: take('decoder.rnn.bias_ih').data,
    biasHh: take('decoder.rnn.bias_hh').data,
    outWeight: take('decoder.decoder.2.weight').data,
    outBias: take('decoder.decoder.2.bias').data[0]!,
  };
}

/** Conv1d, kernel 3, padding 1, then ReLU; `input` is [channels][frames]. */
function convRelu(conv: Conv, input: Float32Array, frames: number): { output: Float32Array; frames: number } {
  const outFrames = Math.floor((frames + 2 - 3) / conv.stride) + 1;
  const output = new Float32Array(conv.outChannels * outFrames);
  for (let o = 0; o < conv.outChannels; o += 1) {
    for (let t = 0; t < outFrames; t += 1) {
      let sum = conv.bias[o]!;
      for (let c = 0; c < conv.inChannels; c += 1) {
        const w = (o * conv.inChannels + c) * 3;
        const row = c * frames;
        for (let k = 0; k < 3; k += 1) {
          const at = t * conv.stride + k - 1;
          if (at >= 0 && at < frames) sum += conv.weight[w + k]! * input[row + at]!;
        }
      }
      output[o * outFrames + t] = sum > 0 ? sum : 0;
    }
  }
  return { output, frames: outFrames };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** One model step: the speech probability of `input` (context + window), updating the LSTM state. */
function step(weights: SileroWeights, input: Float32Array, h: Float32Array, c: Float32Array): number {
  const length = input.length + STFT_PAD;
  const padded = new Float32Array(length);
  padded.set(input);
  for (let k = 0; k < STFT_PAD; k += 1) padded[input.length + k] = input[input.length - 2 - k]!;
  const frames = Math.floor((length - FILTER) / HOP) + 1;
  let features: Float32Array = new Float32Array(BINS * frames);
  for (let t = 0; t < frames; t += 1) {
    for (let f = 0; f < BINS; f += 1) {
      let re = 0;
      let im = 0;
      const real = f * FILTER;
      const imag = (f + BINS) * FILTER;
      for (let k = 0; k < FILTER; k += 1) {
        const x = padded[t * HOP + k]!;
        re += weights.basis[real + k]! * x;
        im += weights.basis[imag + k]! * x;
      }
      features[f * frames + t] = Math.sqrt(re * re + im * im);
    }
  }
  let current = frames;
  for (const conv of weights.encoder) ({ output: features, frames: current } = convRelu(conv, features, current));

  // One LSTM cell step on the last frame (the encoder leaves one), PyTorch's gate order i, f, g, o.
  const x = new Float32Array(HIDDEN);
  for (let i = 0; i < HIDDEN; i += 1) x[i] = features[i * current + current - 1]!;
  const gates = new Float32Array(4 * HIDDEN);
  for (let g = 0; g < 4 * HIDDEN; g += 1) {
    let sum = weights.biasIh[g]! + weights.biasHh[g]!;
    const row = g * HIDDEN;
    for (let i = 0; i < HIDDEN; i += 1) sum += weights.weightIh[row + i]! * x[i]! + weights.weightHh[row + i]! * h[i]!;
    gates[g] = sum;
  }
  let out = weights.outBias;
  for (let i = 0; i < HIDDEN; i += 1) {
    const cell = sigmoid(gates[HIDDEN + i]!) * c[i]! + sigmoid(gates[i]!) * Math.tanh(gates[2 * HIDDEN + i]!);
    c[i] = cell;
    h[i] = sigmoid(gates[3 * HIDDEN + i]!) * Math.tanh(cell);
    out += weights.outWeight[i]! * (h[i]! > 0 ? h[i]! : 0);
  }
  return sigmoid(out);
}

/** Silero's speech probability for each 32 ms window of 16 kHz `samples`, from a fresh state (the last partial window zero-padded). */
export async function speechProbabilities(weights: SileroWeights, samples: Float32Array): Promise<Float32Array> {
  const windows = Math.ceil(samples.length / WINDOW);
  const probabilities = new Float32Array(windows);
  const h = new Float32Array(HIDDEN);
  const c = new Float32Array(HIDDEN);
  const input = new Float32Array(CONTEXT + WINDOW);
  for (let w = 0; w < windows; w += 1) {
    input.copyWithin(0, WINDOW, WINDOW + CONTEXT);
    input.fill(0, CONTEXT);
    input.set(samples.subarray(w * WINDOW, (w + 1) * WINDOW), CONTEXT);
    probabilities[w] = step(weights, input, h, c);
    if ((w + 1) % WINDOWS_PER_TURN === 0) await nextTurn();
  }
  return probabilities;
}

const cache = new Map<string, Promise<SileroWeights>>();

/**
 * The mean speech probability Silero gives a stretch of 16 kHz audio, with the model at
 * `modelPath` (its weights read once per path).
 */
export async function meanSpeechProbability(modelPath: string, samples: Float32Array): Promise<number> {
  let weights = cache.get(modelPath);
  if (!weights) {
    weights = loadSileroWeights(modelPath);
    cache.set(modelPath, weights);
    weights.catch(() => cache.delete(modelPath));
  }
  const probabilities = await speechProbabilities(await weights, samples);
  return probabilities.length === 0 ? 0 : probabilities.reduce((sum, p) => sum + p, 0) / probabilities.length;
}
