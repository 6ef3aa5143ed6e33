import { z } from 'zod';

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits');
const urlSchema = z.url({ protocol: /^https?$/ });

/**
 * The file a URL names: the last segment of its path, or undefined when the path names a folder
 * ("/", "/models/"). A download is saved under this name, so one without it cannot be installed.
 */
export function urlFileName(url: string): string | undefined {
  const { pathname } = new URL(url);
  const name = pathname.slice(pathname.lastIndexOf('/') + 1);
  return name === '' || name === '.' || name === '..' ? undefined : name;
}

const NAMES_NO_FILE = 'the URL names no file (its path ends in "/"): give the URL of the file itself';
const fileUrlSchema = urlSchema.refine((url) => urlFileName(url) !== undefined, NAMES_NO_FILE);

/** A single file fetched into the model folder beside the archive's contents (e.g. ZipVoice's vocoder). */
export const extraFileSchema = z.object({
  url: fileUrlSchema,
  sizeBytes: z.number().int().positive().optional(),
  sha256: sha256Schema.optional(),
});

/**
 * One model Vocable knows how to fetch: where from, what it is, and how to check it. Built-in
 * entries live in known-models.ts; an operator may add their own in a JSON file (--catalogue).
 */
export const catalogueEntrySchema = z.object({
  /** The folder name it installs as, and the `model` clients ask for. */
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, ".", "_" and "-" only'),
  task: z.enum(['tts', 'stt', 'vad', 'segmentation', 'embedding']),
  /** Family display name, as discovery reports it once installed. */
  family: z.string().min(1),
  description: z.string().min(1),
  /** The licence as the archive states it (its README or LICENSE), or its upstream's when the archive states none. */
  licence: z.string().min(1),
  /** Whether those terms allow commercial use; absent when they need reading (or are unknown). */
  commercialUse: z.boolean().optional(),
  /** A release archive (its single top folder becomes the model folder) or a single file. */
  url: urlSchema,
  format: z.enum(['tar.bz2', 'tar.gz', 'file']),
  /** Bytes of the download; checked before unpacking. */
  sizeBytes: z.number().int().positive().optional(),
  /** SHA-256 of the download; a mismatch deletes it. */
  sha256: sha256Schema.optional(),
  extraFiles: z.array(extraFileSchema).default([]),
  languages: z.array(z.string()).default([]),
  /** What it offers beyond the basics, for `vocable models` and GET /v1/models/catalogue. */
  features: z.array(z.string()).default([]),
}).refine((entry) => entry.format !== 'file' || urlFileName(entry.url) !== undefined, { message: NAMES_NO_FILE, path: ['url'] });

/** Built-in entries may leave out what has a default. */
export type CatalogueEntry = z.input<typeof catalogueEntrySchema>;
export type ExtraFile = z.infer<typeof extraFileSchema>;
