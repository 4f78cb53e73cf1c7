import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createHttpClient } from '../../src/clients/http.js';
import { FakeClock } from '../../src/clock.js';
import { createMemoryLogger } from '../../src/log/index.js';
import { createChatReminderScheduler, type ClaimedJob } from '../../src/scheduling/index.js';
import {
  createTestDatabase,
  startFakeServer,
  type FakeServer,
  type TestDatabase,
} from '../../src/testing/index.js';

/** A reminder table as memories and calendar keep one, posted through a fake router. */
let testDb: TestDatabase;
let db: Kysely<any>;
let routerServer: FakeServer;
let routerDown = false;
const clock = new FakeClock('2030-01-01T00:00:00Z');
const logger = createMemoryLogger().logger;

interface Note extends ClaimedJob {
  entity_id: string;
  body: string;
  cancelled: boolean;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  await sql`create schema if not exists notes`.execute(testDb.database.root);
  db = testDb.database.forSchema('notes');
  await db.schema
    .createTable('notes')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('cancelled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('delivery_status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('posted_at', 'timestamptz')
    .execute();
  routerServer = await startFakeServer();
});
afterAll(async () => {
  await routerServer.close();
  await testDb.cleanup();
});
beforeEach(async () => {
  await db.deleteFrom('notes').execute();
  routerServer.reset();
  routerDown = false;
});

function scheduler() {
  // A fetch that can play a router that is not running at all.
  const router = createHttpClient({
    baseUrl: routerServer.url,
    timeoutMs: 2000,
    breakerThreshold: 0,
    fetch: (url, init) => (routerDown ? Promise.reject(new TypeError('fetch failed')) : fetch(url, init)),
  });
  return createChatReminderScheduler<Note>(
    { name: 'memories', db, clock, logger, serviceClient: () => router },
    {
      retryDelaysMs: [1, 1, 1],
      pollIntervalMs: 60_000,
      table: 'notes',
      dueColumn: 'due_at',
      compose: async (row) =>
        row.cancelled ? { skip: 'cancelled' } : { entityId: row.entity_id, text: row.body },
      sentColumns: (now) => ({ posted_at: now }),
    },
  );
}

async function insertNote(values: Partial<Note> = {}): Promise<number> {
  const row = await db
    .insertInto('notes')
    .values({ due_at: new Date(clock.nowMs() - 1000), entity_id: 'twitch:1', body: 'hello', ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

const noteRow = (id: number) =>
  db.selectFrom('notes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const answer = (status: number) =>
  routerServer.on('POST', '/router/messages/outbound', {
    status,
    body: status === 200 ? { success: true, outbound_id: 'o', duplicate: false } : { success: false },
  });

describe('createChatReminderScheduler', () => {
  it('posts a due row as a chat message keyed <module>:reminder:<id> and writes the sent columns', async () => {
    answer(200);
    const id = await insertNote({ entity_id: 'discord:5:6', body: 'stand up' });
    expect(await scheduler().runOnce()).toBe(1);
    expect(routerServer.calls('POST', '/router/messages/outbound').map((r) => r.json)).toEqual([
      {
        platform: 'discord',
        type: 'chat',
        entity_id: 'discord:5:6',
        text: 'stand up',
        module_name: 'memories',
        idempotency_key: `memories:reminder:${id}`,
      },
    ]);
    expect(await noteRow(id)).toMatchObject({ delivery_status: 'sent', posted_at: clock.now() });
  });

  it('a row the module skips, or one without a valid entity, is never posted', async () => {
    answer(200);
    const skipped = await insertNote({ cancelled: true });
    const broken = await insertNote({ entity_id: 'irc:x' });
    await scheduler().runOnce();
    expect(routerServer.calls('POST', '/router/messages/outbound')).toHaveLength(0);
    expect((await noteRow(skipped)).delivery_status).toBe('skipped');
    expect((await noteRow(broken)).delivery_status).toBe('failed');
  });

  it('a router that answers 5xx through every retry fails the row for good', async () => {
    answer(500);
    const id = await insertNote();
    const s = scheduler();
    await s.runOnce();
    expect(routerServer.calls('POST', '/router/messages/outbound')).toHaveLength(4);
    expect((await noteRow(id)).delivery_status).toBe('failed');
    clock.advance(10 * 60_000);
    expect(await s.runOnce()).toBe(0);
  });

  it('a router that is down keeps the row, which is posted once the router is back', async () => {
    answer(200);
    routerDown = true;
    const id = await insertNote({ body: 'still here' });
    const s = scheduler();
    await s.runOnce();
    expect(await noteRow(id)).toMatchObject({ delivery_status: 'sending', attempts: 1 });
    routerDown = false;
    // Not before the claim is stale, so a live claimer is never overtaken.
    expect(await s.runOnce()).toBe(0);
    clock.advance(5 * 60_000 + 1);
    expect(await s.runOnce()).toBe(1);
    expect(await noteRow(id)).toMatchObject({ delivery_status: 'sent', attempts: 2 });
    expect(routerServer.calls('POST', '/router/messages/outbound').map((r) => r.json.text)).toEqual([
      'still here',
    ]);
  });
});
