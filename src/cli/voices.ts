import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { CliError } from './cli-error.js';
import { withConnection, type ConnectionFlags } from './connection.js';

interface SavedVoice {
  id: string;
  transcript: string | null;
  duration_seconds: number;
}

/** `vocable voices`: the saved voices, one a line. */
export async function listVoicesCommand(flags: ConnectionFlags): Promise<void> {
  await withConnection(flags, async (connection) => {
    const { data } = (await (await connection.call('/v1/voices')).json()) as { data: SavedVoice[] };
    if (data.length === 0) process.stderr.write('no saved voices yet: vocable voices add <name> <clip>\n');
    for (const voice of data) console.log(`${voice.id}\t${voice.duration_seconds.toFixed(1)} s\t${voice.transcript ?? '(no transcript)'}`);
  });
}

/** `vocable voices add name clip`: saves a clip as a named voice (transcribed when no transcript is given). */
export async function addVoiceCommand(name: string, clip: string, options: { transcript?: string; model?: string }, flags: ConnectionFlags): Promise<void> {
  const bytes = await readFile(clip).catch(() => Promise.reject(new CliError(`cannot read ${clip}`)));
  await withConnection(flags, async (connection) => {
    const form = new FormData();
    form.append('name', name);
    if (options.transcript) form.append('transcript', options.transcript);
    if (options.model) form.append('model', options.model);
    form.append('file', new Blob([new Uint8Array(bytes)]), basename(clip));
    const voice = (await (await connection.call('/v1/voices', { method: 'POST', body: form })).json()) as SavedVoice;
    console.log(`saved voice ${voice.id} (${voice.duration_seconds.toFixed(1)} s): ${voice.transcript ?? '(no transcript)'}`);
  });
}

/** `vocable voices rm name`. */
export async function removeVoiceCommand(name: string, flags: ConnectionFlags): Promise<void> {
  await withConnection(flags, async (connection) => {
    await connection.call(`/v1/voices/${encodeURIComponent(name)}`, { method: 'DELETE' });
    console.log(`deleted voice ${name}`);
  });
}
