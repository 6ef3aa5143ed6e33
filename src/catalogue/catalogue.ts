import { readFile } from 'node:fs/promises';
import { didYouMean } from '../did-you-mean.js';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { VocableError } from '../errors.js';
import { catalogueEntrySchema, type CatalogueEntry } from './catalogue-entry.js';
import { KNOWN_MODELS } from './known-models.js';

/** What a fresh install pulls on first start: one voice model, one transcriber, and the VAD that long audio needs. */
export const DEFAULT_MODEL_IDS = ['pocket-tts-int8', 'whisper-tiny', 'silero-vad'] as const;

/** How an entry's terms stand on commercial use, in words: `vocable models`, logs. */
export function commercialUseText(entry: CatalogueEntry): string {
  if (entry.commercialUse === false) return 'no (non-commercial only)';
  return entry.commercialUse ? 'yes' : 'read the licence';
}

/** The models Vocable can pull: the built-in list, overlaid by an operator's own entries. */
export class Catalogue {
  private readonly entries = new Map<string, CatalogueEntry>();

  constructor(entries: readonly CatalogueEntry[]) {
    for (const entry of entries) this.entries.set(entry.id, entry);
  }

  list(): CatalogueEntry[] {
    return [...this.entries.values()];
  }

  find(id: string): CatalogueEntry | undefined {
    return this.entries.get(id);
  }

  /** Entry `id`, or an error that lists what can be pulled. */
  require(id: string): CatalogueEntry {
    const entry = this.entries.get(id);
    if (!entry) throw new UnknownCatalogueModelError(id, [...this.entries.keys()]);
    return entry;
  }
}

export class UnknownCatalogueModelError extends VocableError {
  constructor(id: string, known: readonly string[]) {
    super('model_not_found', `'${id}' is not in the catalogue.${didYouMean(id, known)} Models that can be pulled: ${known.join(', ')}.`, 'model');
  }
}

/** The built-in catalogue plus the entries of `extraFile` (a JSON array), which win on equal ids. */
export async function loadCatalogue(extraFile?: string): Promise<Catalogue> {
  if (!extraFile) return new Catalogue(KNOWN_MODELS);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(extraFile, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read the catalogue file ${extraFile}: ${(error as Error).message}`);
  }
  const parsed = z.array(catalogueEntrySchema).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Catalogue file ${extraFile}, entry ${issue.path.join('.')}: ${issue.message}`);
  }
  return new Catalogue([...KNOWN_MODELS, ...parsed.data]);
}
