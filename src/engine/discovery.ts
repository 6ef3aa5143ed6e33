import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { FileRole, ResolvedFiles, SingleFileRole, TtsCapabilities, TtsFamily } from './family.js';
import { FAMILIES } from './families/index.js';
import { metadataProblems, type Metadata } from './metadata-contract.js';
import { checkTokensFile } from './model-files-check.js';
import type { SpeakerCapabilities, SpeakerFamily } from './speaker-family.js';
import { readOnnxMetadata } from './onnx-metadata.js';
import type { SttCapabilities, SttFamily } from './stt-family.js';

interface InstalledBase {
  /** The folder's name. */
  id: string;
  dir: string;
  files: ResolvedFiles;
  /** Bytes of the model's files: the estimate of what it holds in memory once loaded. */
  sizeBytes: number;
}

export interface InstalledTtsModel extends InstalledBase {
  task: 'tts';
  family: TtsFamily;
  capabilities: TtsCapabilities;
}

export interface InstalledSttModel extends InstalledBase {
  task: 'stt';
  family: SttFamily;
  capabilities: SttCapabilities;
}

/** A speaker segmentation or embedding model: the parts diarization and voice checks are made of. */
export interface InstalledSpeakerModel extends InstalledBase {
  task: 'segmentation' | 'embedding';
  family: SpeakerFamily;
  capabilities: SpeakerCapabilities;
}

export type InstalledModel = InstalledTtsModel | InstalledSttModel | InstalledSpeakerModel;

/** The voice activity detector transcription segments long audio with: a folder holding silero_vad.onnx. */
export const VAD_FILE = 'silero_vad.onnx';

/** A folder that looks like a model but cannot be used, and why. */
export interface BrokenModel {
  id: string;
  dir: string;
  reason: string;
}

export interface Discovery {
  models: InstalledModel[];
  broken: BrokenModel[];
  /** Path of the Silero VAD model, when one is installed. */
  vadModel?: string;
}

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return 'dir';
    return info.isFile() && info.size > 0 ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

async function resolveRole(dir: string, role: FileRole, names: ReadonlySet<string>): Promise<string | undefined> {
  if (role.kind === 'files') {
    const matches = [...names].filter((n) => role.pattern.test(n)).sort();
    return matches.length > 0 ? matches.map((n) => join(dir, n)).join(',') : undefined;
  }
  for (const name of role.names) {
    const candidates = typeof name === 'string' ? [name] : [...names].filter((n) => name.test(n)).sort();
    for (const candidate of candidates) {
      const path = join(dir, candidate);
      if ((await kindOf(path)) === role.kind) return path;
    }
  }
  return undefined;
}

function describeRole(role: SingleFileRole): string {
  const what = role.describe ?? (role.names.length === 1 ? String(role.names[0]) : `one of ${role.names.join(' | ')}`);
  return role.kind === 'dir' ? `folder ${what}/` : what;
}

/** Sizes of the regular files among `files` (comma lists included; folders such as espeak-ng-data are not loaded whole). */
async function filesSize(files: ResolvedFiles): Promise<number> {
  let total = 0;
  for (const path of Object.values(files).flatMap((p) => p.split(','))) {
    const info = await stat(path);
    if (info.isFile()) total += info.size;
  }
  return total;
}

type Family = (typeof FAMILIES)[number];

/** Reads each ONNX file's metadata once per inspection. */
type MetadataReader = (path: string) => Promise<Metadata>;

function metadataReader(): MetadataReader {
  const read = new Map<string, Promise<Metadata>>();
  return (path) => {
    let metadata = read.get(path);
    if (!metadata) read.set(path, (metadata = readOnnxMetadata(path)));
    return metadata;
  };
}

/** What in the family's ONNX metadata the native code would exit on, as a reason; undefined when nothing. */
async function metadataFault(family: Family, files: ResolvedFiles, metadataOf: MetadataReader): Promise<string | undefined> {
  for (const contract of family.metadata ?? []) {
    const path = files[contract.file]!;
    const problems = metadataProblems(contract, await metadataOf(path));
    if (problems.length > 0) {
      return `${family.displayName} model's ${basename(path)} ${problems.join('; ')}: ${contract.hint ?? 'sherpa-onnx cannot run it without'}`;
    }
  }
  return undefined;
}

/** The families whose metadata says the folder is theirs (e.g. model_type=kokoro), whatever its file names say. */
async function familiesClaiming(dir: string, names: ReadonlySet<string>, metadataOf: MetadataReader): Promise<Family[]> {
  const claiming: Family[] = [];
  for (const family of FAMILIES) {
    const contract = family.metadata?.find((c) => c.identifies);
    const role = family.files.find((r) => r.role === contract?.file);
    if (!contract || !role || role.kind === 'files') continue;
    const path = await resolveRole(dir, role, names);
    const metadata = path ? await metadataOf(path).catch(() => undefined) : undefined;
    if (metadata && contract.identifies!(metadata)) claiming.push(family);
  }
  return claiming;
}

/** The folder as a model of `family`, or why it is not one. */
async function inspectAs(family: Family, id: string, dir: string, names: ReadonlySet<string>, metadataOf: MetadataReader): Promise<InstalledModel | BrokenModel> {
  const files: Record<string, string> = {};
  const missing: string[] = [];
  for (const role of family.files) {
    const path = await resolveRole(dir, role, names);
    if (path) files[role.role] = path;
    else if (role.kind !== 'files' && !role.optional) missing.push(describeRole(role));
  }
  if (missing.length > 0) {
    return { id, dir, reason: `${family.displayName} model is missing ${missing.join('; ')} (absent or empty)` };
  }
  try {
    const fault = await metadataFault(family, files, metadataOf);
    if (fault) return { id, dir, reason: fault };
    if (files.tokens) await checkTokensFile(files.tokens);
    const sizeBytes = await filesSize(files);
    if (family.task === 'tts') return { task: 'tts', id, dir, family, files, capabilities: await family.capabilities(files), sizeBytes };
    if (family.task === 'stt') return { task: 'stt', id, dir, family, files, capabilities: await family.capabilities(files), sizeBytes };
    return { task: family.task, id, dir, family, files, capabilities: await family.capabilities(files), sizeBytes };
  } catch (error) {
    return { id, dir, reason: `${family.displayName} model files cannot be read: ${(error as Error).message}` };
  }
}

/**
 * What the folder `dir` holds: a usable model, or why it is not one. Families share file names
 * (KittenTTS and Kokoro both ship model.onnx beside voices.bin; a Kokoro folder without
 * voices.bin has SenseVoice's), so the families whose ONNX metadata claims the folder are tried
 * first, then each family whose files match, and each family's metadata contract decides. When
 * none fits, the first family's reason is the one reported: the claiming family's, if any.
 */
export async function inspectModelFolder(id: string, dir: string): Promise<InstalledModel | BrokenModel> {
  const names = new Set(await readdir(dir));
  const metadataOf = metadataReader();
  const claiming = await familiesClaiming(dir, names, metadataOf);
  const candidates = [...claiming, ...FAMILIES.filter((f) => f.matches(names) && !claiming.includes(f))];
  if (candidates.length === 0) {
    const known = FAMILIES.map((f) => f.displayName).join(', ');
    return { id, dir, reason: `no known model family matches its files (known: ${known})` };
  }
  let first: BrokenModel | undefined;
  for (const family of candidates) {
    const found = await inspectAs(family, id, dir, names, metadataOf);
    if ('task' in found) return found;
    first ??= found;
  }
  return first!;
}

/**
 * Finds the model folders under `modelsDir`, detects each one's family from its files, and
 * checks every file the family needs, so that a broken folder is reported by name with what is
 * missing (the native engine would only say "check your config") and the others still load.
 */
export async function discoverModels(modelsDir: string): Promise<Discovery> {
  const root = resolve(modelsDir);
  const result: Discovery = { models: [], broken: [] };
  let entries: string[];
  try {
    entries = (await readdir(root)).sort();
  } catch {
    return result;
  }
  for (const id of entries) {
    if (id.startsWith('.')) continue;
    const dir = join(root, id);
    if ((await kindOf(dir)) !== 'dir') continue;
    if ((await kindOf(join(dir, VAD_FILE))) === 'file') {
      result.vadModel ??= join(dir, VAD_FILE);
      continue;
    }
    const found = await inspectModelFolder(id, dir);
    if ('task' in found) result.models.push(found);
    else result.broken.push(found);
  }
  return result;
}
