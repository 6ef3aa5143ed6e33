import type { FamilyBase, ResolvedFiles } from './family.js';

/** What a speaker model does, as `GET /v1/models` shows it. */
export interface SpeakerCapabilities {
  /** `segmentation` finds who speaks when inside short windows; `embedding` turns a voice into a vector. */
  task: 'segmentation' | 'embedding';
  family: string;
  sample_rate: number;
  /** Length of the vectors an embedding model makes. */
  embedding_dim?: number;
}

/**
 * A speaker model family over sherpa-onnx: a pyannote segmentation model and an embedding
 * extractor together make OfflineSpeakerDiarization; the extractor alone compares voices.
 */
export interface SpeakerFamily extends FamilyBase {
  readonly task: 'segmentation' | 'embedding';
  /** Reads and checks the model's metadata (the engine exits the process on a mismatch). */
  capabilities(files: ResolvedFiles): Promise<SpeakerCapabilities>;
}
