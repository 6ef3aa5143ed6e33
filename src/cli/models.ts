import { commercialUseText, loadCatalogue } from '../catalogue/catalogue.js';
import type { CatalogueEntry } from '../catalogue/catalogue-entry.js';
import { VoicePacks } from '../catalogue/voice-packs.js';
import { resolveConfig, type Config } from '../config.js';
import { discoverModels } from '../engine/discovery.js';

interface ModelRow {
  id: string;
  task: string;
  family: string;
  size: string;
  status: string;
  commercial: string;
  licence: string;
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? '?' : `${Math.round(bytes / 1e6)} MB`;
}

function table(rows: ModelRow[]): string {
  const columns = ['id', 'task', 'family', 'size', 'status', 'commercial', 'licence'] as const;
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map((r) => line(columns.map((c) => r[c])))].join('\n');
}

/** The licence columns of a row: what the catalogue says of the model, or '-' for a folder it does not know. */
function terms(entry: CatalogueEntry | undefined): Pick<ModelRow, 'commercial' | 'licence'> {
  return entry ? { commercial: commercialUseText(entry), licence: entry.licence } : { commercial: '-', licence: '-' };
}

/** `vocable models`: the installed models (and broken folders), then what the catalogue can pull, voice packs last. */
export async function modelsCommand(flags: Partial<Record<keyof Config, unknown>>, json: boolean): Promise<void> {
  const config = resolveConfig(flags);
  const [catalogue, discovery] = await Promise.all([loadCatalogue(config.catalogue), discoverModels(config.modelsDir)]);
  const rows: ModelRow[] = [];
  const listed = new Set<string>();
  for (const model of discovery.models) {
    listed.add(model.id);
    rows.push({ id: model.id, task: model.task, family: model.family.displayName, size: megabytes(model.sizeBytes), status: 'installed', ...terms(catalogue.find(model.id)) });
  }
  for (const problem of discovery.broken) {
    listed.add(problem.id);
    rows.push({ id: problem.id, task: '?', family: '?', size: '?', status: `broken: ${problem.reason}`, ...terms(undefined) });
  }
  const vadFolder = discovery.vadModel?.split(/[\\/]/).at(-2);
  for (const entry of catalogue.list()) {
    if (listed.has(entry.id)) continue;
    const installed = entry.id === vadFolder;
    rows.push({ id: entry.id, task: entry.task, family: entry.family, size: megabytes(entry.sizeBytes), status: installed ? 'installed' : 'available', ...terms(entry) });
  }
  for (const pack of new VoicePacks().list()) {
    rows.push({ id: pack.id, task: 'voices', family: 'voice pack', size: '?', status: `${pack.voices.length} clips`, commercial: 'see licence', licence: pack.licence });
  }
  console.log(json ? JSON.stringify(rows, null, 2) : table(rows));
}
