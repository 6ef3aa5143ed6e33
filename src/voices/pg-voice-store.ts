import { LRUCache } from 'lru-cache';
import pg from 'pg';
import { decodeAudioOffThread } from '../audio/decode-off-thread.js';
import type { MonoAudio } from '../audio/pcm.js';
import { encodeWav } from '../audio/wav.js';
import { VoiceStoreUnavailableError } from '../errors.js';
import { describeLocation, unreachable } from './pg-errors.js';
import { MIGRATIONS, migrate, VOICE_CHANNEL } from './pg-migrations.js';
import type { SavedVoice } from './saved-voice.js';
import { VoiceExistsError, type VoiceStore, type VoiceStoreHealth } from './voice-store.js';

export interface StoreLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface PgVoiceStoreOptions {
  logger?: StoreLogger;
  /** Decoded clips kept in memory, in bytes of samples. */
  cacheBytes?: number;
  /** Connections this replica may hold in its pool (one more is kept for LISTEN). */
  maxConnections?: number;
}

interface VoiceRow {
  name: string;
  clip_id: string;
  created_at: string;
  transcript: string | null;
  model: string | null;
  sample_rate: number;
  duration_seconds: number;
}

interface CachedClip {
  clipId: string;
  audio: MonoAudio;
}

const COLUMNS = 'name, clip_id, created_at, transcript, model, sample_rate, duration_seconds';
/** 128 MiB: some 45 clips of the longest kind (30 s at 24 kHz), far more of typical ones. */
const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;
const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version));
/** Waits between attempts to listen again after the database went away. */
const RELISTEN_MS = { first: 250, max: 5000 };

function toVoice(row: VoiceRow): SavedVoice {
  return {
    id: row.name,
    object: 'voice',
    created_at: Number(row.created_at),
    transcript: row.transcript,
    model: row.model,
    sample_rate: row.sample_rate,
    duration_seconds: row.duration_seconds,
  };
}

/**
 * Saved voices in PostgreSQL, shared by every replica that names the same database. Each change is
 * one statement, so it commits whole or not at all; of two creates of one name the primary key
 * lets one through and the other gets VoiceExistsError. Decoded clips are cached per replica and
 * dropped when the database announces a change (LISTEN/NOTIFY); while this replica is not
 * listening (the database went away), nothing is served from the cache, and it starts empty again
 * once listening resumes, since changes may have been missed meanwhile.
 */
export class PgVoiceStore implements VoiceStore {
  private readonly pool: pg.Pool;
  private readonly where: string;
  private readonly clips: LRUCache<string, CachedClip>;
  /** The clip id each name had when last looked up, so a clip replaced moments ago is not served before its notification arrives. */
  private readonly currentClip = new Map<string, string>();
  private schema?: Promise<void>;
  private listener?: pg.Client;
  private listening = false;
  private relistenMs = RELISTEN_MS.first;
  private relistenTimer?: NodeJS.Timeout;
  private lastFailure?: string;
  private closed = false;
  /** Counts changes announced and connections lost, so a clip read across one is not cached. */
  private changesSeen = 0;

  constructor(
    private readonly url: string,
    private readonly options: PgVoiceStoreOptions = {},
  ) {
    this.where = describeLocation(url);
    this.pool = new pg.Pool({ ...this.connectionConfig(), max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 });
    // Idle connections cut by a database restart are reported here; without a listener the process would crash.
    this.pool.on('error', (error) => this.noteFailure(error));
    this.clips = new LRUCache({ maxSize: options.cacheBytes ?? DEFAULT_CACHE_BYTES, sizeCalculation: (clip) => Math.max(1, clip.audio.samples.byteLength) });
    void this.listen();
  }

  health(): VoiceStoreHealth {
    if (this.listening && !this.lastFailure) return { type: 'postgres', status: 'ok' };
    return { type: 'postgres', status: 'unavailable', message: this.lastFailure ?? 'connecting to the database' };
  }

  async list(): Promise<SavedVoice[]> {
    const { rows } = await this.query<VoiceRow>(`SELECT ${COLUMNS} FROM vocable_voices ORDER BY name COLLATE "C"`);
    return rows.map(toVoice);
  }

  async get(name: string): Promise<SavedVoice | undefined> {
    const row = (await this.query<VoiceRow>(`SELECT ${COLUMNS} FROM vocable_voices WHERE name = $1`, [name])).rows[0];
    if (!row) {
      this.currentClip.delete(name);
      return undefined;
    }
    this.currentClip.set(name, row.clip_id);
    return toVoice(row);
  }

  async audio(name: string): Promise<MonoAudio | undefined> {
    const cached = this.clips.get(name);
    if (cached && this.listening && cached.clipId === this.currentClip.get(name)) return cached.audio;
    const changesBefore = this.changesSeen;
    const row = (await this.query<{ clip_id: string; clip: Buffer }>('SELECT clip_id, clip FROM vocable_voices WHERE name = $1', [name])).rows[0];
    if (!row) return undefined;
    const audio = await decodeAudioOffThread(row.clip);
    // A change announced while the clip was read may postdate it: use it, but do not keep it.
    if (this.listening && this.changesSeen === changesBefore) {
      this.clips.set(name, { clipId: row.clip_id, audio });
      this.currentClip.set(name, row.clip_id);
    }
    return audio;
  }

  async create(voice: SavedVoice, audio: MonoAudio): Promise<void> {
    const { rowCount } = await this.query(
      `INSERT INTO vocable_voices (name, created_at, transcript, model, sample_rate, duration_seconds, clip)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
      [voice.id, voice.created_at, voice.transcript, voice.model, voice.sample_rate, voice.duration_seconds, encodeWav(audio)],
    );
    if (rowCount === 0) throw new VoiceExistsError(voice.id);
  }

  async update(name: string, change: { transcript: string | null }): Promise<SavedVoice | undefined> {
    const row = (await this.query<VoiceRow>(`UPDATE vocable_voices SET transcript = $2 WHERE name = $1 RETURNING ${COLUMNS}`, [name, change.transcript])).rows[0];
    return row ? toVoice(row) : undefined;
  }

  async delete(name: string): Promise<boolean> {
    const { rowCount } = await this.query('DELETE FROM vocable_voices WHERE name = $1', [name]);
    this.forget(name);
    return (rowCount ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.relistenTimer);
    this.listening = false;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private connectionConfig(): pg.ClientConfig {
    // Bounded waits: a database that stops answering becomes a 503 instead of a request hanging.
    // TCP keep-alive after 10 s idle, so a listening connection to a database host that vanished without a word is noticed.
    return { connectionString: this.url, connectionTimeoutMillis: 5000, query_timeout: 30_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000, application_name: 'vocable' };
  }

  /** Runs one statement once the schema is in place; a database out of reach becomes a 503. */
  private async query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      await this.ensureSchema();
      const result = await this.pool.query<R>(sql, values);
      this.lastFailure = undefined;
      return result;
    } catch (error) {
      throw this.noteFailure(error);
    }
  }

  /** Records an error that means the database is out of reach (for /ready and the log); returns what to throw. */
  private noteFailure(error: unknown): unknown {
    const unavailable = error instanceof VoiceStoreUnavailableError ? error : unreachable(error);
    if (!unavailable) return error;
    if (!this.lastFailure) this.options.logger?.warn(`voice store ${this.where}: ${unavailable.message}`);
    this.lastFailure = unavailable.message;
    return unavailable;
  }

  private ensureSchema(): Promise<void> {
    this.schema ??= this.applyMigrations().catch((error: unknown) => {
      this.schema = undefined;
      throw error;
    });
    return this.schema;
  }

  private async applyMigrations(): Promise<void> {
    const client = await this.pool.connect();
    let failed = false;
    try {
      const { applied, current } = await migrate(client);
      if (applied.length > 0) this.options.logger?.info(`voice store ${this.where}: schema migrated to version ${current}`);
      if (current > LATEST_SCHEMA) this.options.logger?.warn(`voice store ${this.where}: schema version ${current} is newer than this release knows (${LATEST_SCHEMA}); a newer release migrated it, running on`);
    } catch (error) {
      failed = true;
      if (unreachable(error)) throw error;
      // Reachable but refused (no right to create tables, say): every request would fail the same way, so say what to fix.
      throw new VoiceStoreUnavailableError(
        `The shared voice store (PostgreSQL) could not prepare its tables (${(error as Error).message}). Give the database user the right to create tables in its database, or to read and write Vocable's tables once they exist.`,
      );
    } finally {
      client.release(failed);
    }
  }

  /** Keeps one connection listening for changes; reconnects with backoff when it is lost. */
  private async listen(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client(this.connectionConfig());
    client.on('error', (error) => this.lostListener(client, error));
    client.on('end', () => this.lostListener(client));
    client.on('notification', (message) => {
      if (message.payload) this.forget(message.payload);
    });
    this.listener = client;
    try {
      await client.connect();
      await this.ensureSchema();
      await client.query(`LISTEN ${VOICE_CHANNEL}`);
    } catch (error) {
      this.lostListener(client, error);
      return;
    }
    if (this.listener !== client) return;
    // Changes made while nobody listened were not announced to this replica.
    this.clips.clear();
    this.currentClip.clear();
    if (this.lastFailure) this.options.logger?.info(`voice store ${this.where} reachable again`);
    this.listening = true;
    this.lastFailure = undefined;
    this.relistenMs = RELISTEN_MS.first;
  }

  private lostListener(client: pg.Client, error?: unknown): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.listening = false;
    this.changesSeen += 1;
    this.clips.clear();
    this.noteFailure(error ?? new Error('Connection terminated'));
    client.end().catch(() => undefined);
    if (this.closed) return;
    this.relistenTimer = setTimeout(() => void this.listen(), this.relistenMs);
    this.relistenTimer.unref();
    this.relistenMs = Math.min(this.relistenMs * 2, RELISTEN_MS.max);
  }

  private forget(name: string): void {
    this.changesSeen += 1;
    this.clips.delete(name);
    this.currentClip.delete(name);
  }
}
