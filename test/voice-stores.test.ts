/**
 * The voice store contract, run against both stores (files, and PostgreSQL on a real server), then
 * what only the PostgreSQL store does: migrating once when replicas start together, dropping
 * cached clips on the database's notifications, and failing with a 503 while the database is away.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { MonoAudio } from '../src/audio/pcm.js';
import { ConfigError, resolveConfig } from '../src/config.js';
import { encodeWav } from '../src/audio/wav.js';
import { VoiceStoreUnavailableError } from '../src/errors.js';
import { FileVoiceStore } from '../src/voices/file-voice-store.js';
import { migrate } from '../src/voices/pg-migrations.js';
import { PgVoiceStore } from '../src/voices/pg-voice-store.js';
import type { SavedVoice } from '../src/voices/saved-voice.js';
import { VoiceExistsError, type VoiceStore } from '../src/voices/voice-store.js';
import { tone } from './helpers/audio.js';
import { testDatabase, type TestDatabase } from './helpers/postgres.js';
import { until } from './helpers/until.js';

const voice = (id: string, transcript: string | null = 'Hello there.'): SavedVoice => ({
  id,
  object: 'voice',
  created_at: 1_790_000_000,
  transcript,
  model: null,
  sample_rate: 24000,
  duration_seconds: 1.5,
});

/** Stored clips are 16-bit: equal within one step of it. */
function assertSameAudio(actual: MonoAudio | undefined, expected: MonoAudio): void {
  assert.ok(actual, 'a clip');
  assert.equal(actual.sampleRate, expected.sampleRate);
  assert.equal(actual.samples.length, expected.samples.length);
  const worst = actual.samples.reduce((max, s, i) => Math.max(max, Math.abs(s - expected.samples[i]!)), 0);
  assert.ok(worst <= 1 / 32767, `samples differ by up to ${worst}`);
}

interface OpenStore {
  store: VoiceStore;
  /** Voices (or their files) still stored. */
  leftovers(): Promise<unknown[]>;
  close(): Promise<void>;
}

const KINDS: Record<string, () => Promise<OpenStore>> = {
  files: async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vocable-store-'));
    return {
      store: new FileVoiceStore(dir),
      leftovers: async () => readdir(join(dir, 'voices')),
      close: () => rm(dir, { recursive: true, force: true }),
    };
  },
  PostgreSQL: async () => {
    const database = await testDatabase();
    const store = new PgVoiceStore(database.url);
    return {
      store,
      leftovers: async () => (await database.voiceRows()) > 0 ? ['rows'] : [],
      close: async () => {
        await store.close();
        await database.drop();
      },
    };
  },
};

for (const [kind, open] of Object.entries(KINDS)) {
  describe(`voice store contract: ${kind}`, () => {
    let opened: OpenStore;
    let store: VoiceStore;
    before(async () => {
      opened = await open();
      store = opened.store;
    });
    after(async () => {
      try {
        assert.deepEqual(await opened.leftovers(), [], 'every test removed its voices');
      } finally {
        await opened.close();
      }
    });

    test('a created voice is listed and fetched, and its clip reads back as saved', async () => {
      const clip = tone(1.5, 24000, 330);
      await store.create(voice('carol'), clip);
      await store.create(voice('Bob.2'), tone(1, 24000));
      assert.deepEqual(await store.get('carol'), voice('carol'));
      assert.deepEqual((await store.list()).map((v) => v.id), ['Bob.2', 'carol'], 'sorted by name, capitals first');
      assertSameAudio(await store.audio('carol'), clip);
      assert.equal(await store.get('nobody'), undefined);
      assert.equal(await store.audio('nobody'), undefined);
      assert.ok(await store.delete('carol'));
      assert.ok(await store.delete('Bob.2'));
    });

    test('creating a taken name fails with VoiceExistsError and leaves the first voice as it was', async () => {
      const first = tone(1, 24000, 200);
      await store.create(voice('dave', 'first'), first);
      await assert.rejects(store.create(voice('dave', 'second'), tone(1, 24000, 500)), VoiceExistsError);
      assert.equal((await store.get('dave'))?.transcript, 'first');
      assertSameAudio(await store.audio('dave'), first);
      assert.ok(await store.delete('dave'));
    });

    test('eight creates of one name at once: exactly one wins', async () => {
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.create(voice('erin', `take ${i}`), tone(1, 24000, 200 + 50 * i))));
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
      for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof VoiceExistsError, String(o.reason));
      const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
      assert.equal((await store.get('erin'))?.transcript, `take ${winner}`, 'the stored voice is the winner\'s, whole');
      assertSameAudio(await store.audio('erin'), tone(1, 24000, 200 + 50 * winner));
      assert.ok(await store.delete('erin'));
    });

    test('update replaces the transcript and nothing else; a missing voice is undefined', async () => {
      const clip = tone(1, 24000);
      await store.create(voice('frank'), clip);
      assert.deepEqual(await store.update('frank', { transcript: 'New words.' }), { ...voice('frank'), transcript: 'New words.' });
      assert.deepEqual(await store.update('frank', { transcript: null }), { ...voice('frank'), transcript: null });
      assertSameAudio(await store.audio('frank'), clip);
      assert.equal(await store.update('nobody', { transcript: 'x' }), undefined);
      assert.ok(await store.delete('frank'));
    });

    test('delete removes the voice and its clip; deleting again says so', async () => {
      await store.create(voice('gina'), tone(1, 24000));
      await store.audio('gina');
      assert.equal(await store.delete('gina'), true);
      assert.equal(await store.get('gina'), undefined);
      assert.equal(await store.audio('gina'), undefined, 'not served from a cache');
      assert.equal(await store.delete('gina'), false);
      await store.create(voice('gina'), tone(1, 24000, 600));
      assertSameAudio(await store.audio('gina'), tone(1, 24000, 600));
      assert.ok(await store.delete('gina'));
    });
  });
}

test('the voice store setting takes only a PostgreSQL URL, and says so', () => {
  assert.equal(resolveConfig({}, { VOCABLE_VOICE_STORE: 'postgresql://u:p@db:5432/voices' }).voiceStore, 'postgresql://u:p@db:5432/voices');
  assert.equal(resolveConfig({}, {}).voiceStore, undefined, 'files in the data directory by default');
  for (const wrong of ['mysql://db/voices', '/var/lib/voices', 'postgres://']) {
    assert.throws(() => resolveConfig({}, { VOCABLE_VOICE_STORE: wrong }), (error: unknown) => error instanceof ConfigError && /VOCABLE_VOICE_STORE.*PostgreSQL URL/.test(error.message));
  }
});

describe('PostgreSQL store: schema, notifications', () => {
  let database: TestDatabase;
  before(async () => {
    database = await testDatabase();
  });
  after(async () => {
    try {
      assert.equal(await database.voiceRows(), 0, 'no rows left');
    } finally {
      await database.drop();
    }
  });

  test('six replicas starting at once: the schema is migrated once, and each finds it current', async () => {
    const clients = Array.from({ length: 6 }, () => new pg.Client({ connectionString: database.url }));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const outcomes = await Promise.all(clients.map((c) => migrate(c)));
      assert.deepEqual(outcomes.map((o) => o.applied).sort((a, b) => b.length - a.length), [[1], [], [], [], [], []]);
      assert.ok(outcomes.every((o) => o.current === 1));
      const { rows } = await clients[0]!.query<{ version: number }>('SELECT version FROM vocable_schema_migrations');
      assert.deepEqual(rows.map((r) => r.version), [1]);
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  test('a database user who may not create or use the tables: a 503 that says what right is missing; granted use of them, it works', async () => {
    const role = `vocable_reader_${Date.now()}`;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    const url = new URL(database.url);
    url.username = role;
    const store = new PgVoiceStore(url.toString());
    try {
      await assert.rejects(store.list(), (error: unknown) => {
        assert.ok(error instanceof VoiceStoreUnavailableError, String(error));
        assert.match(error.message, /could not prepare its tables \(permission denied .*\)\. Give the database user the right to create tables/);
        return true;
      });
      await store.close();
      // Once the tables exist, reading and writing them is enough: a replica need not be able to create tables.
      await admin.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON vocable_voices, vocable_schema_migrations TO ${role}`);
      const allowed = new PgVoiceStore(url.toString());
      await allowed.create(voice('kim'), tone(1, 24000));
      assert.equal((await allowed.list()).length, 1);
      assert.ok(await allowed.delete('kim'));
      await allowed.close();
    } finally {
      await store.close();
      await admin.query(`REVOKE ALL ON vocable_voices, vocable_schema_migrations FROM ${role}`);
      await admin.query(`DROP ROLE ${role}`);
      await admin.end();
    }
  });

  test('a clip changed in the database by hand reaches a replica that had it cached', async () => {
    const [a, b] = [new PgVoiceStore(database.url), new PgVoiceStore(database.url)];
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await a.create(voice('hana'), tone(1, 24000, 300));
      await until(async () => b.health().status === 'ok', 'replica B listening');
      await b.get('hana');
      assertSameAudio(await b.audio('hana'), tone(1, 24000, 300));
      const replacement = tone(1, 24000, 700);
      await admin.query('UPDATE vocable_voices SET clip = $1 WHERE name = $2', [encodeWav(replacement), 'hana']);
      await until(async () => {
        await b.get('hana');
        const clip = await b.audio('hana');
        return clip!.samples.every((s, i) => Math.abs(s - replacement.samples[i]!) <= 1 / 32767);
      }, 'replica B using the new clip');
    } finally {
      await a.delete('hana');
      await admin.end();
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('PostgreSQL store: the database goes away and comes back', () => {
  let database: TestDatabase;
  let store: PgVoiceStore;
  before(async () => {
    database = await testDatabase({ ownCluster: true });
    store = new PgVoiceStore(database.url);
  });
  after(async () => {
    await store.close();
    try {
      assert.equal(await database.voiceRows(), 0, 'no rows left');
    } finally {
      await database.drop();
    }
  });

  test('while it is stopped: a 503 that says the voice store cannot be reached; once started again the same store works', async () => {
    await store.create(voice('ivan'), tone(1, 24000));
    await store.get('ivan');
    await store.audio('ivan');
    assert.equal(store.health().status, 'ok');
    await database.cluster!.stop();
    // Until this replica's listening connection has seen the server go, its cached clip may still be served.
    await until(async () => store.health().status === 'unavailable', 'the store noticing');
    for (const attempt of [() => store.get('ivan'), () => store.audio('ivan'), () => store.list(), () => store.create(voice('judy'), tone(1, 24000)), () => store.delete('ivan')]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof VoiceStoreUnavailableError, String(error));
        assert.equal(error.status, 503);
        assert.match(error.message, /voice store \(PostgreSQL\) cannot be reached .*Retry shortly/);
        return true;
      });
    }
    assert.match(store.health().message ?? '', /cannot be reached/);
    await database.cluster!.start();
    await until(async () => store.health().status === 'ok', 'the store listening again');
    assert.equal((await store.get('ivan'))?.id, 'ivan');
    assert.ok(await store.audio('ivan'));
    assert.ok(await store.delete('ivan'));
  });
});
