import type { ApiClient } from './api.js';
import { wavSeconds } from './wav.js';

export interface SpeechResult {
  wav: Blob;
  audioSeconds: number;
  wallSeconds: number;
}

/** `POST /v1/audio/speech` for a WAV file; times the request from sending to the last byte. */
export async function synthesize(api: ApiClient, request: Record<string, unknown>): Promise<SpeechResult> {
  const started = performance.now();
  const response = await api.postJson('/v1/audio/speech', { ...request, response_format: 'wav' });
  const wav = await response.blob();
  const wallSeconds = (performance.now() - started) / 1000;
  return { wav, wallSeconds, audioSeconds: wavSeconds(await wav.arrayBuffer()) };
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
