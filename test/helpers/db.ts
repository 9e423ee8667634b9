/**
 * Test databases: a fresh SQLite file per call, and — when PG_TEST_URL is set
 * (CI sets it to the machine's PostgreSQL) — a fresh PostgreSQL database per
 * call, dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? '';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  url: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** Which databases a suite runs on: always SQLite, PostgreSQL when PG_TEST_URL is set. */
export function databaseKinds(): Array<'sqlite' | 'postgres'> {
  return PG_TEST_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const PG_SKIP_REASON = 'PostgreSQL tests need PG_TEST_URL (e.g. postgres://postgres@127.0.0.1:5432/test)';

export async function createTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-test-'));
  if (kind === 'sqlite') {
    return {
      kind,
      url: `sqlite:${join(dataDir, 'test.db')}`,
      dataDir,
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  if (!PG_TEST_URL) throw new Error(PG_SKIP_REASON);
  const name = `tio_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_TEST_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_TEST_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
