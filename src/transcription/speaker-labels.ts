import { cosineSimilarity } from '../engine/speaker-embedder.js';

/** A named voice the client gave (known_speaker_references[]) or a saved voice, as an embedding. */
export interface KnownVoice {
  name: string;
  embedding: Float32Array;
}

/** One speaker the diarizer found in a window, with the embedding of its speech there. */
export interface LocalSpeaker {
  speaker: number;
  embedding: Float32Array;
}

/**
 * Cosine similarity at which two embeddings count as one voice. Real extractors (3D-Speaker,
 * WeSpeaker) score the same speaker about 0.6–0.9 and different speakers below 0.4.
 */
export const SAME_SPEAKER_SIMILARITY = 0.5;

/** A, B, …, Z, AA, AB, … */
export function speakerLetter(index: number): string {
  const letter = String.fromCharCode(65 + (index % 26));
  return index < 26 ? letter : speakerLetter(Math.floor(index / 26) - 1) + letter;
}

/**
 * Names the speakers of each window consistently over a whole file: a local speaker takes the
 * known name or earlier letter whose voice it is closest to (if close enough, each at most once
 * per window), otherwise the next letter. Letters keep a running mean of their voice.
 */
export class SpeakerLabeller {
  private readonly lettered: { label: string; sum: Float32Array; count: number }[] = [];

  constructor(private readonly known: readonly KnownVoice[], private readonly threshold = SAME_SPEAKER_SIMILARITY) {}

  /** Labels for one window's speakers, given in order of first appearance. */
  label(locals: readonly LocalSpeaker[]): Map<number, string> {
    const candidates = [
      ...this.known.map((k) => ({ label: k.name, embedding: k.embedding, letter: undefined as number | undefined })),
      ...this.lettered.map((l, i) => ({ label: l.label, embedding: l.sum, letter: i })),
    ];
    const pairs = locals
      .flatMap((local) => candidates.map((candidate) => ({ local, candidate, similarity: cosineSimilarity(local.embedding, candidate.embedding) })))
      .filter((p) => p.similarity >= this.threshold)
      .sort((a, b) => b.similarity - a.similarity);
    const labels = new Map<number, string>();
    const used = new Set<string>();
    for (const { local, candidate } of pairs) {
      if (labels.has(local.speaker) || used.has(candidate.label)) continue;
      labels.set(local.speaker, candidate.label);
      used.add(candidate.label);
      if (candidate.letter !== undefined) this.remember(this.lettered[candidate.letter]!, local.embedding);
    }
    for (const local of locals) {
      if (labels.has(local.speaker)) continue;
      const entry = { label: speakerLetter(this.lettered.length), sum: new Float32Array(local.embedding.length), count: 0 };
      this.remember(entry, local.embedding);
      this.lettered.push(entry);
      labels.set(local.speaker, entry.label);
    }
    return labels;
  }

  /** Adds a unit-length copy, so the sum points along the voice's mean direction. */
  private remember(entry: { sum: Float32Array; count: number }, embedding: Float32Array): void {
    const norm = Math.hypot(...embedding) || 1;
    for (let i = 0; i < embedding.length; i += 1) entry.sum[i]! += embedding[i]! / norm;
    entry.count += 1;
  }
}
