import type { ApiClient } from './api.js';
import type { LivePlayer } from './live-player.js';
import { pcm16Wav } from './wav.js';

export interface SpeechResult {
  wav: Blob;
  audioSeconds: number;
  wallSeconds: number;
  /** Whether `player` played it as it arrived (else the page should play the file). */
  playedLive: boolean;
  /** The server's X-Reference-Trimmed: the clip was longer than the model uses ("33.0s->9.8s"). */
  referenceTrimmed?: string;
}

/**
 * `POST /v1/audio/speech`, streamed as 16-bit PCM: `player` plays each chunk as it arrives, and
 * the whole is kept as a WAV file for the page's player and download. Times the request from
 * sending to the last byte.
 */
export async function synthesize(api: ApiClient, request: Record<string, unknown>, player: LivePlayer): Promise<SpeechResult> {
  const started = performance.now();
  const response = await api.postJson('/v1/audio/speech', { ...request, response_format: 'pcm', stream: true });
  const sampleRate = Number(response.headers.get('X-Sample-Rate'));
  player.start(sampleRate);
  const chunks: Uint8Array[] = [];
  const reader = response.body!.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) {
    chunks.push(next.value);
    player.push(next.value);
  }
  const pcm = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  chunks.reduce((at, c) => (pcm.set(c, at), at + c.byteLength), 0);
  const wallSeconds = (performance.now() - started) / 1000;
  const referenceTrimmed = response.headers.get('X-Reference-Trimmed') ?? undefined;
  return { wav: pcm16Wav(pcm, sampleRate), wallSeconds, audioSeconds: pcm.byteLength / 2 / sampleRate, playedLive: player.playing, ...(referenceTrimmed ? { referenceTrimmed } : {}) };
}

/** A file's bytes as plain base64, as `ref_audio` takes them. */
export function fileToBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.addEventListener('load', () => resolve(String(reader.result).replace(/^data:[^,]*,/, '')));
    reader.addEventListener('error', () => reject(reader.error ?? new Error('The file could not be read.')));
    reader.readAsDataURL(file);
  });
}

/** A file name from the text spoken: the first few words, safe on any system. */
export function speechFileName(model: string, text: string): string {
  const words = text.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  return `${model}-${words || 'speech'}.wav`;
}
