import type { SpeakerCapabilities } from '../wire/models.js';
import type { FamilyBase, ResolvedFiles } from './family.js';
export type { SpeakerCapabilities } from '../wire/models.js';

/**
 * A speaker model family over sherpa-onnx: a pyannote segmentation model and an embedding
 * extractor together make OfflineSpeakerDiarization; the extractor alone compares voices.
 */
export interface SpeakerFamily extends FamilyBase {
  readonly task: 'segmentation' | 'embedding';
  /** Reads and checks the model's metadata (the engine exits the process on a mismatch). */
  capabilities(files: ResolvedFiles): Promise<SpeakerCapabilities>;
}
