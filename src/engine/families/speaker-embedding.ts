import { readOnnxMetadata } from '../onnx-metadata.js';
import type { SpeakerFamily } from '../speaker-family.js';

/** The `framework` values sherpa-onnx's extractor accepts (speaker-embedding-extractor-impl.cc). */
const FRAMEWORKS = ['wespeaker', '3d-speaker', 'nemo'];

/**
 * A speaker-embedding extractor as sherpa-onnx releases them under `speaker-recongition-models`:
 * one ONNX file (3D-Speaker, WeSpeaker or NeMo export) whose `framework` metadata names its kind.
 */
export const speakerEmbedding: SpeakerFamily = {
  task: 'embedding',
  id: 'speaker-embedding',
  displayName: 'speaker embedding',
  files: [{ role: 'model', names: [/\.onnx$/], kind: 'file', describe: '<name>.onnx' }],
  matches: (names) => [...names].some((n) => n.endsWith('.onnx')) && !names.has('tokens.txt') && !names.has('voices.bin') && ![...names].some((n) => n.endsWith('.json') || n.endsWith('.txt')),

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const framework = meta.get('framework') ?? '';
    if (!FRAMEWORKS.includes(framework)) throw new Error(`${files.model} is not a speaker-embedding export: metadata framework is '${framework}', expected one of ${FRAMEWORKS.join(', ')}`);
    // What the engine reads without a default (speaker-embedding-extractor{,-nemo}-model.cc); a missing key exits the process.
    const needed = framework === 'nemo' ? ['output_dim', 'feat_dim', 'sample_rate', 'window_size_ms', 'window_stride_ms', 'language'] : ['output_dim', 'sample_rate', 'normalize_samples', 'language'];
    const missing = needed.filter((key) => !meta.has(key));
    if (missing.length > 0) throw new Error(`${files.model}: its metadata lacks ${missing.join(', ')}`);
    return { task: 'embedding', family: framework, sample_rate: Number(meta.get('sample_rate')), embedding_dim: Number(meta.get('output_dim')) };
  },
};
