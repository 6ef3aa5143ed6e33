/**
 * Layers only import downwards (DESIGN.md): every relative import in src/ is checked against the
 * rank of the folder it points into. Prints each import that points up or sideways and exits 1.
 * Run by `npm test` (npm run check:layers).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Higher imports lower; folders of one rank may not import each other. Top-level files (errors, config, …) are the floor. */
const RANKS: Record<string, number> = {
  cli: 12,
  server: 11,
  realtime: 10,
  speech: 9,
  transcription: 9,
  pull: 8,
  catalogue: 7,
  voices: 6,
  reference: 5,
  speakers: 5,
  engine: 4,
  audio: 3,
  workers: 2,
  native: 1,
  wire: 1,
  types: 0,
  '.': 0,
};
/** The browser page is its own program: it may import only the wire types. */
const PLAYGROUND = 'playground';

const layerOf = (file: string): string => {
  const [top = '.', ...rest] = relative(SRC, file).split(sep);
  return rest.length === 0 ? '.' : top;
};

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g;

const problems: string[] = [];
for (const file of sourceFiles(SRC)) {
  const from = layerOf(file);
  for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2]!;
    const to = layerOf(resolve(dirname(file), specifier));
    if (to === from) continue;
    const allowed = from === PLAYGROUND ? to === 'wire' : to !== PLAYGROUND && RANKS[from] !== undefined && RANKS[to] !== undefined && RANKS[to]! < RANKS[from]!;
    if (!allowed) problems.push(`${relative(SRC, file)} (${from}) imports ${specifier} (${to})`);
  }
}

if (problems.length > 0) {
  console.error(`Imports that point up or across a layer (see RANKS in scripts/check-layers.ts and DESIGN.md):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('layers: every import in src/ points down');
