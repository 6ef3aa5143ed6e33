import type { TtsModel } from '../wire/models.js';

export interface ClipVerdict {
  /** `refuse`: the server would refuse it, so the page does not send it. */
  kind: 'ok' | 'trim' | 'refuse';
  message: string;
}

/** The model's rule for reference clips in words, e.g. "pocket takes clips of 1–120 s and uses 10 s of speech". */
export function describeRule(model: TtsModel): string {
  const rule = model.capabilities.reference_seconds;
  if (!rule) return '';
  if (rule.max === rule.used) return `${model.id} takes clips of ${rule.min}–${rule.max} s of speech; a longer clip is refused, as its transcript must match it.`;
  return `${model.id} takes clips of ${rule.min}–${rule.max} s and uses ${rule.used} s of speech: a longer clip is trimmed to its best ${rule.used} s.`;
}

/** What the model will do with a clip of `seconds` (leading and trailing silence count here: the server trims them first). */
export function judgeClip(model: TtsModel, seconds: number): ClipVerdict {
  const rule = model.capabilities.reference_seconds;
  const length = `${seconds.toFixed(1)} s`;
  if (!rule) return { kind: 'ok', message: '' };
  if (seconds < rule.min) return { kind: 'refuse', message: `This clip is ${length}: ${model.id} needs at least ${rule.min} s of speech. Choose a longer clip.` };
  if (seconds > rule.max) {
    const cut = rule.max === rule.used ? 'Cut the clip and its transcript' : 'Cut the clip';
    return { kind: 'refuse', message: `This clip is ${length}: ${model.id} takes clips of at most ${rule.max} s. ${cut} to ${rule.used} s or less.` };
  }
  if (seconds > rule.used) return { kind: 'trim', message: `This clip is ${length}: ${model.id} will use its best ${rule.used} s of speech.` };
  return { kind: 'ok', message: `This clip is ${length}: within ${model.id}'s ${rule.min}–${rule.max} s.` };
}

/** A clip's length in seconds, as the browser decodes it; undefined when it cannot tell (some recordings). */
export async function clipSeconds(file: Blob): Promise<number | undefined> {
  const url = URL.createObjectURL(file);
  const audio = new Audio();
  audio.preload = 'metadata';
  try {
    return await new Promise<number | undefined>((resolve) => {
      audio.addEventListener('loadedmetadata', () => resolve(Number.isFinite(audio.duration) ? audio.duration : undefined));
      audio.addEventListener('error', () => resolve(undefined));
      audio.src = url;
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}
