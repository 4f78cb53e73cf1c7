import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { FakeClock } from '../../src/clock.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createMemoryLogger } from '../../src/log/index.js';
import { createJobScheduler, type ClaimedJob, type JobOutcome } from '../../src/scheduling/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';

/**
 * The scheduler against a real table. On a PostgreSQL test server the two instances use two
 * separate connection pools, as two replicas would; on PGlite they share the one connection.
 */
let testDb: TestDatabase;
let second: Database | undefined;
let dbA: Kysely<any>;
let dbB: Kysely<any>;
const clock = new FakeClock('2030-01-01T00:00:00Z');
const logger = createMemoryLogger().logger;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await sql`create schema if not exists sched`.execute(testDb.database.root);
  dbA = testDb.database.forSchema('sched');
  await dbA.schema
    .createTable('jobs')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('delivery_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('done_at', 'timestamptz')
    .execute();
  if (testDb.url) {
    second = await openDatabase({ url: testDb.url, poolSize: 2 });
    dbB = second.forSchema('sched');
  } else {
    dbB = dbA;
  }
});
afterAll(async () => {
  await second?.close();
  await testDb.cleanup();
});
beforeEach(async () => {
  await dbA.deleteFrom('jobs').execute();
});

interface Job extends ClaimedJob {
  label: string;
}

function scheduler(db: Kysely<any>, deliver: (row: Job) => Promise<JobOutcome>, batchSize = 5) {
  return createJobScheduler<Job>({
    db,
    table: 'jobs',
    dueColumn: 'due_at',
    clock,
    pollIntervalMs: 50,
    logger,
    batchSize,
    deliver: async (row) => ({ outcome: await deliver(row), set: { done_at: clock.now() } }),
  });
}

async function insertJobs(n: number, dueInMs = -1000) {
  const rows = Array.from({ length: n }, (_, i) => ({
    due_at: new Date(clock.nowMs() + dueInMs),
    label: `job-${i}`,
  }));
  await dbA.insertInto('jobs').values(rows).execute();
}

describe('createJobScheduler', () => {
  it('two instances polling together deliver each due row exactly once', async () => {
    await insertJobs(40);
    const delivered: string[] = [];
    const deliver = async (row: Job) => {
      delivered.push(row.label);
      // Yield so the other instance claims while this one is "sending".
      await new Promise((r) => setTimeout(r, 2));
      expect(row.delivery_status).toBe('sending');
      return 'sent' as const;
    };
    const a = scheduler(dbA, deliver);
    const b = scheduler(dbB, deliver);
    for (let i = 0; i < 50; i++) {
      const [na, nb] = await Promise.all([a.runOnce(), b.runOnce()]);
      if (na + nb === 0) break;
    }
    expect(delivered).toHaveLength(40);
    expect(new Set(delivered).size).toBe(40);
    const rows = await dbA.selectFrom('jobs').selectAll().execute();
    expect(rows.every((r) => r.delivery_status === 'sent' && r.attempts === 1 && r.done_at !== null)).toBe(
      true,
    );
  });

  it('counts outcomes when given metrics', async () => {
    await insertJobs(2);
    const metrics = createMetrics('memories');
    let n = 0;
    const s = createJobScheduler<Job>({
      db: dbA,
      table: 'jobs',
      dueColumn: 'due_at',
      clock,
      pollIntervalMs: 50,
      logger,
      metrics,
      deliver: async () => ({ outcome: n++ === 0 ? 'sent' : 'failed' }),
    });
    expect(await s.runOnce()).toBe(2);
    const text = await metrics.registry.metrics();
    expect(text).toContain('scheduled_deliveries_total{table="jobs",outcome="sent",service="memories"} 1');
    expect(text).toContain('scheduled_deliveries_total{table="jobs",outcome="failed",service="memories"} 1');
  });

  it('leaves rows that are not due, and finished rows, alone', async () => {
    await insertJobs(2, 60_000);
    await dbA
      .insertInto('jobs')
      .values({ due_at: new Date(clock.nowMs() - 1000), label: 'old', delivery_status: 'failed' })
      .execute();
    const seen: string[] = [];
    const s = scheduler(dbA, async (row) => {
      seen.push(row.label);
      return 'sent';
    });
    expect(await s.runOnce()).toBe(0);
    clock.advance(60_000);
    expect(await s.runOnce()).toBe(2);
    expect(seen.sort()).toEqual(['job-0', 'job-1']);
  });

  it('reclaims a row left in sending for over 5 minutes (its claimer died), not a fresh one', async () => {
    const now = clock.nowMs();
    await dbA
      .insertInto('jobs')
      .values([
        {
          due_at: new Date(now - 3600_000),
          label: 'stale',
          delivery_status: 'sending',
          claimed_at: new Date(now - 6 * 60_000),
          attempts: 1,
        },
        {
          due_at: new Date(now - 3600_000),
          label: 'busy',
          delivery_status: 'sending',
          claimed_at: new Date(now - 4 * 60_000),
          attempts: 1,
        },
      ])
      .execute();
    const seen: string[] = [];
    const s = scheduler(dbA, async (row) => {
      seen.push(row.label);
      return 'sent';
    });
    await s.runOnce();
    expect(seen).toEqual(['stale']);
    const stale = await dbA
      .selectFrom('jobs')
      .selectAll()
      .where('label', '=', 'stale')
      .executeTakeFirstOrThrow();
    expect(stale).toMatchObject({ delivery_status: 'sent', attempts: 2 });
  });

  it('a crashing delivery leaves the row in sending for a later reclaim', async () => {
    await insertJobs(1);
    let crash = true;
    const s = scheduler(dbA, async () => {
      if (crash) throw new Error('boom');
      return 'skipped';
    });
    await s.runOnce();
    expect(
      (await dbA.selectFrom('jobs').select('delivery_status').executeTakeFirstOrThrow()).delivery_status,
    ).toBe('sending');
    crash = false;
    expect(await s.runOnce()).toBe(0);
    clock.advance(5 * 60_000 + 1);
    expect(await s.runOnce()).toBe(1);
    expect(
      (await dbA.selectFrom('jobs').select('delivery_status').executeTakeFirstOrThrow()).delivery_status,
    ).toBe('skipped');
  });

  it('polls on its own once started and stops cleanly; rows survive a restart', async () => {
    await insertJobs(3, 1000);
    const seen: string[] = [];
    const first = scheduler(dbA, async (row) => {
      seen.push(row.label);
      return 'sent';
    });
    first.start();
    await first.stop();
    // A new instance (after a "restart") finds the rows in the table once they are due.
    clock.advance(2000);
    const next = scheduler(dbB, async (row) => {
      seen.push(row.label);
      return 'sent';
    });
    next.start();
    for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await next.stop();
    expect(seen.sort()).toEqual(['job-0', 'job-1', 'job-2']);
    await insertJobs(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toHaveLength(3);
  });
});
