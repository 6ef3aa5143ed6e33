import type { ClientBase } from 'pg';

/** The channel every change to a saved voice is announced on; the payload is the voice's name. */
export const VOICE_CHANNEL = 'vocable_voices';

/**
 * The schema, one step per version, applied in order and never edited once released: a change is
 * a new step. Steps must leave the schema usable by the previous release, so that replicas of
 * both can run side by side during a rolling upgrade.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE vocable_voices (
        name text PRIMARY KEY CHECK (char_length(name) BETWEEN 1 AND 64),
        -- Changes whenever a name is given a new clip, so a cached clip can be told from the current one.
        clip_id bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        created_at bigint NOT NULL,
        transcript text,
        model text,
        sample_rate integer NOT NULL,
        duration_seconds double precision NOT NULL,
        clip bytea NOT NULL
      );
      -- A trigger rather than a NOTIFY beside each statement: a row changed by hand (psql) is announced too.
      CREATE FUNCTION vocable_voices_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${VOICE_CHANNEL}', COALESCE(NEW.name, OLD.name));
        IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN
          PERFORM pg_notify('${VOICE_CHANNEL}', OLD.name);
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER vocable_voices_changed AFTER INSERT OR UPDATE OR DELETE ON vocable_voices
        FOR EACH ROW EXECUTE FUNCTION vocable_voices_changed();
    `,
  },
];

/** Any 64-bit number of our own; other applications on the database pick theirs. */
const MIGRATION_LOCK = 0x766f6361; // "voca"

export interface MigrationOutcome {
  applied: number[];
  /** The newest version in the database, which may be newer than this release knows. */
  current: number;
}

/**
 * Brings the schema up to date. Replicas starting together queue on a session advisory lock, so
 * one applies the steps and the others find them done; each step commits whole with its version
 * row, so a crash mid-way leaves the previous version. The lock ends with the session if the
 * process dies holding it.
 */
export async function migrate(client: ClientBase): Promise<MigrationOutcome> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    // Created only when missing, so that a user who may use the tables but not create any can start replicas once they exist.
    const { rows: found } = await client.query<{ present: boolean }>("SELECT to_regclass('vocable_schema_migrations') IS NOT NULL AS present");
    if (!found[0]!.present) await client.query('CREATE TABLE vocable_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM vocable_schema_migrations')).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const step of MIGRATIONS.filter((m) => !done.has(m.version))) {
      await client.query('BEGIN');
      try {
        await client.query(step.sql);
        await client.query('INSERT INTO vocable_schema_migrations (version) VALUES ($1)', [step.version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      applied.push(step.version);
    }
    const current = Math.max(0, ...done, ...applied);
    return { applied, current };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}
