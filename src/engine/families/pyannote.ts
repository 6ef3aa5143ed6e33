import { readOnnxMetadata } from '../onnx-metadata.js';
import type { SpeakerFamily } from '../speaker-family.js';

/** Metadata sherpa-onnx reads from the model (offline-speaker-segmentation-pyannote-model.cc); a missing key exits the process. */
const REQUIRED = ['sample_rate', 'window_size', 'receptive_field_size', 'receptive_field_shift', 'num_speakers', 'powerset_max_classes', 'num_classes'];

/**
 * pyannote segmentation 3.0, as sherpa-onnx exports it (`sherpa-onnx-pyannote-segmentation-3-0`):
 * model.onnx (or model.int8.onnx) labelling 10 s windows with up to three local speakers.
 */
export const pyannoteSegmentation: SpeakerFamily = {
  task: 'segmentation',
  id: 'pyannote-segmentation',
  displayName: 'pyannote segmentation',
  files: [{ role: 'model', names: ['model.int8.onnx', 'model.onnx'], kind: 'file' }],
  matches: (names) => (names.has('model.onnx') || names.has('model.int8.onnx')) && !names.has('tokens.txt') && !names.has('voices.bin'),

  async capabilities(files) {
    const meta = await readOnnxMetadata(files.model!);
    const missing = REQUIRED.filter((key) => !meta.has(key));
    if (missing.length > 0) throw new Error(`${files.model} is not a pyannote segmentation export: its metadata lacks ${missing.join(', ')}`);
    if (meta.get('powerset_max_classes') !== '2') throw new Error(`${files.model}: powerset_max_classes ${meta.get('powerset_max_classes')} is not supported (sherpa-onnx takes 2)`);
    return { task: 'segmentation', family: 'pyannote-segmentation', sample_rate: Number(meta.get('sample_rate')) };
  },
};
