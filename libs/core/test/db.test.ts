import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  insertChunked,
  isUniqueViolation,
  migrateSchema,
  openDatabase,
  sql,
  type Database,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';

let a: TestDatabase;
let b: TestDatabase;
beforeAll(async () => {
  [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await migrateSchema(a.database, 'things', {
    '001_things': {
      up: async (db) => {
        await db.schema
          .createTable('things')
          .addColumn('id', 'serial', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .execute();
      },
    },
  });
});
afterAll(async () => {
  await a.cleanup();
  await b.cleanup();
});

describe('database layer', () => {
  it('gives every test its own database: a table in one is absent from the other', async () => {
    await a.database.forSchema('things').insertInto('things').values({ name: 'x' }).execute();
    const other = await sql<{
      n: number;
    }>`select count(*) as n from information_schema.tables where table_schema = 'things'`.execute(
      b.database.root,
    );
    expect(other.rows[0]!.n).toBe(0);
  });

  it('reads bigint counts as numbers and reports affected rows', async () => {
    const db = a.database.forSchema('things');
    await insertChunked(
      db,
      'things',
      Array.from({ length: 2500 }, (_, i) => ({ name: `n${i}` })),
    );
    const { n } = await db
      .selectFrom('things')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(n).toBe(2501);
    const upd = await db
      .updateTable('things')
      .set({ name: sql`name || '!'` })
      .where('name', 'like', 'n1%')
      .executeTakeFirst();
    expect(Number(upd.numUpdatedRows)).toBe(1111);
  });

  it('rolls a failed transaction back and flags unique violations', async () => {
    const db = a.database.forSchema('things');
    const err = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('things').values({ name: 'tx-1' }).execute();
        await trx.insertInto('things').values({ name: 'x' }).execute();
      })
      .catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(
      await db.selectFrom('things').select('id').where('name', '=', 'tx-1').executeTakeFirst(),
    ).toBeUndefined();
  });

  it('serialises concurrent transactions without losing updates', async () => {
    const db = a.database.forSchema('things');
    await db.schema
      .createTable('counter')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('n', 'integer')
      .execute();
    await db.insertInto('counter').values({ id: 1, n: 0 }).execute();
    await Promise.all(
      Array.from({ length: 20 }, () =>
        db.transaction().execute(async (trx) => {
          const row = await trx
            .selectFrom('counter')
            .select('n')
            .where('id', '=', 1)
            .forUpdate()
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('counter')
            .set({ n: row.n + 1 })
            .where('id', '=', 1)
            .execute();
        }),
      ),
    );
    expect((await db.selectFrom('counter').select('n').executeTakeFirstOrThrow()).n).toBe(20);
  });
});

describe('embedded PGlite', () => {
  let database: Database | undefined;
  afterAll(() => database?.close());

  it('persists under the data directory across restarts', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wb-pglite-'));
    database = await openDatabase({ dataDir: dir });
    expect(database.kind).toBe('pglite');
    await sql`create table kept (v text)`.execute(database.root);
    await sql`insert into kept values ('still here')`.execute(database.root);
    await database.close();
    database = await openDatabase({ dataDir: dir });
    const rows = await sql<{ v: string }>`select v from kept`.execute(database.root);
    expect(rows.rows).toEqual([{ v: 'still here' }]);
  });
});
