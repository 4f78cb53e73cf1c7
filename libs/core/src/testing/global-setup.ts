/**
 * Vitest global setup: resolves the test database server once for the whole run.
 * TEST_DATABASE_URL wins; else a Testcontainers PostgreSQL if a Docker engine answers and the
 * container starts (any error falls back); else nothing, and each file uses embedded PGlite.
 */
import type { TestProject } from 'vitest/node';

let stopContainer: (() => Promise<unknown>) | undefined;

export async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('testDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  if (process.env.WADDLEBOT_TEST_NO_CONTAINERS === '1') return;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await Promise.race([
      new PostgreSqlContainer('postgres:16-alpine').start(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('container start timed out')), 60_000).unref(),
      ),
    ]);
    stopContainer = () => container.stop();
    project.provide('testDatabaseUrl', container.getConnectionUri());
    console.log('[test] using a Testcontainers PostgreSQL');
  } catch (err) {
    console.log(
      `[test] no Docker engine (${(err as Error).message.split('\n')[0]}); using embedded PGlite per test file`,
    );
  }
}

export async function teardown() {
  await stopContainer?.();
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseUrl: string | undefined;
  }
}
