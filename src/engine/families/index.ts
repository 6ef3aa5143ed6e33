import type { TtsFamily } from '../family.js';
import { kokoro } from './kokoro.js';
import { pocket } from './pocket.js';
import { zipvoice } from './zipvoice.js';

/** Every family Vocable can run; detection tries them in this order. */
export const TTS_FAMILIES: readonly TtsFamily[] = [pocket, zipvoice, kokoro];
