/**
 * What a family's native code reads from an ONNX file's metadata, and exits the whole process
 * without (sherpa-onnx's SHERPA_ONNX_READ_META_DATA* macros call _Exit on a missing or
 * unparsable value). Discovery checks it first, so such a folder is reported by name instead.
 */

export type Metadata = ReadonlyMap<string, string>;

/** How the native code parses a value: atoi, a comma list of integers, floats or strings, or any text. */
export type MetadataForm = 'int' | 'ints' | 'floats' | 'strings' | 'text';

export type MetadataKeys = Readonly<Record<string, MetadataForm>>;

export interface MetadataContract {
  /** The role (in the family's files) of the ONNX file whose metadata is read. */
  file: string;
  /** Keys read without a default (which may depend on other keys, e.g. Whisper's languages). */
  required: MetadataKeys | ((meta: Metadata) => MetadataKeys);
  /** Keys read with a default: absent is fine, but a present value must parse. */
  optional?: MetadataKeys;
  /** Further values the native code exits on (a list's length, a fixed value), as problems. */
  rules?: (meta: Metadata) => string[];
  /** True when the metadata says the file is this family's, even if the folder's file names do not. */
  identifies?: (meta: Metadata) => boolean;
  /** Said after the problems, e.g. which exports the family takes. */
  hint?: string;
}

/** C's atoi: leading blanks, a sign and digits; anything else reads as 0. */
export function atoi(value: string): number {
  const match = /^\s*([+-]?\d+)/.exec(value);
  return match ? Number(match[1]) : 0;
}

const INTEGER = /^\s*[+-]?\d+$/;
const REAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** The values of a comma list, empty pieces left out (as the native split does). */
export const listOf = (value: string): string[] => value.split(',').filter((piece) => piece !== '');

/** Why `value` would not parse as `form` natively, or undefined when it would. */
function formProblem(key: string, value: string, form: MetadataForm): string | undefined {
  const shown = `${key}='${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  switch (form) {
    case 'int':
      return atoi(value) < 0 ? `${shown} is negative` : undefined;
    case 'ints':
      return listOf(value).every((piece) => INTEGER.test(piece)) ? undefined : `${shown} is not a list of integers`;
    case 'floats':
      return listOf(value).every((piece) => REAL.test(piece)) ? undefined : `${shown} is not a list of numbers`;
    case 'strings':
      return listOf(value).length > 0 ? undefined : `${shown} is an empty list`;
    case 'text':
      return undefined;
  }
}

/**
 * The problems the native code would exit on, as phrases ("lacks the metadata vocab_size, ..."),
 * or an empty list. A value the runtime reads as empty counts as absent, as it does natively.
 */
export function metadataProblems(contract: MetadataContract, meta: Metadata): string[] {
  const required = typeof contract.required === 'function' ? contract.required(meta) : contract.required;
  const missing = Object.keys(required).filter((key) => !meta.get(key));
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`lacks the metadata ${missing.join(', ')}`);
  for (const [key, form] of [...Object.entries(required), ...Object.entries(contract.optional ?? {})]) {
    const value = meta.get(key);
    const problem = value ? formProblem(key, value, form) : undefined;
    if (problem) problems.push(problem);
  }
  if (problems.length === 0 && contract.rules) problems.push(...contract.rules(meta));
  return problems;
}
