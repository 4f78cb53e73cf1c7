import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../db/index.js';

export interface TestDatabase {
  database: Database;
  /** Connection URL when the database is on a server (PGlite has none). */
  url?: string;
  kind: 'postgres' | 'pglite';
  cleanup(): Promise<void>;
}

/** The server URL the global setup resolved: TEST_DATABASE_URL, else a Testcontainers PostgreSQL, else none. */
export function testServerUrl(): string | undefined {
  if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
  try {
    return (inject as (k: string) => string | undefined)('testDatabaseUrl') || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A database of its own for one test file: `CREATE DATABASE` on the test server when there is one
 * (services use fixed schema names, so files cannot share a database), else a fresh PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  if (!serverUrl) {
    const database = await openDatabase({});
    return { database, kind: 'pglite', cleanup: () => database.close() };
  }
  const name = `wb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 10 });
  return {
    database,
    url: url.toString(),
    kind: 'postgres',
    async cleanup() {
      await database.close();
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
