import pg from 'pg';
import { VoiceStoreUnavailableError } from '../errors.js';

/** SQLSTATEs that mean the database is not there for us (rather than that a statement was wrong). */
const UNREACHABLE_STATES = [
  /^08/, // connection exception
  /^57P0[1-4]$/, // shut down by an administrator, crashed, starting up, or the database was dropped
  /^53300$/, // too many connections
  /^28/, // authentication failed
  /^3D000$/, // no such database
];

/**
 * The 503 for an error that says the database cannot be reached or refused us: a network error,
 * a connection that ended, a timeout, a server shutting down. Undefined for other errors, which
 * are faults in a statement and stay 500s.
 */
export function unreachable(error: unknown): VoiceStoreUnavailableError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error instanceof pg.DatabaseError && !UNREACHABLE_STATES.some((state) => state.test(error.code ?? ''))) return undefined;
  // A refused connection to a name with several addresses is an AggregateError with an empty message.
  const reason = error.message || (error as NodeJS.ErrnoException).code || error.name;
  return new VoiceStoreUnavailableError(
    `The shared voice store (PostgreSQL) cannot be reached (${reason}). Saved voices are unavailable until it is back; preset voices, ref_audio cloning and transcription still work. Retry shortly.`,
  );
}

/** host:port/database from a connection URL, without the user or password, for the log. */
export function describeLocation(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  return `${host}:${parsed.port || '5432'}${parsed.pathname || '/'}`;
}
