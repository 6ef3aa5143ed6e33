import type { TtsFamily } from '../family.js';
import type { SpeakerFamily } from '../speaker-family.js';
import type { SttFamily } from '../stt-family.js';
import { kitten } from './kitten.js';
import { kokoro } from './kokoro.js';
import { moonshine } from './moonshine.js';
import { parakeet } from './parakeet.js';
import { piper } from './piper.js';
import { pocket } from './pocket.js';
import { pyannoteSegmentation } from './pyannote.js';
import { sensevoice } from './sensevoice.js';
import { speakerEmbedding } from './speaker-embedding.js';
import { whisper } from './whisper.js';
import { zipvoice } from './zipvoice.js';

/** Every text-to-speech family Vocable can run. */
export const TTS_FAMILIES: readonly TtsFamily[] = [pocket, zipvoice, kitten, kokoro, piper];

/** Every speech-to-text family Vocable can run. */
export const STT_FAMILIES: readonly SttFamily[] = [whisper, moonshine, parakeet, sensevoice];

/** Speaker families: diarization and voice checks. */
export const SPEAKER_FAMILIES: readonly SpeakerFamily[] = [pyannoteSegmentation, speakerEmbedding];

/** Detection tries the families in this order: those with the most specific files first. */
export const FAMILIES: readonly (TtsFamily | SttFamily | SpeakerFamily)[] = [...TTS_FAMILIES, ...STT_FAMILIES, ...SPEAKER_FAMILIES];
