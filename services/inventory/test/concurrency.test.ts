import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalDispatch,
  createMemoryState,
  openDatabase,
  serviceConfig,
  startService,
  type App,
  type Database,
} from '@waddlebot/core';
import { call, createTestRuntime, serviceHeaders, testEnv, type TestRuntime } from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { mod } from './module-request.js';

interface Backend {
  kind: string;
  app: App;
  database: Database;
  close(): Promise<void>;
}

/** The file's runtime (Postgres when a test server is configured), plus embedded PGlite if it is not already that. */
async function backends(): Promise<Backend[]> {
  const rt: TestRuntime = await createTestRuntime();
  const main = await rt.add(service);
  const list: Backend[] = [
    { kind: rt.db.kind, app: main.app, database: rt.db.database, close: () => rt.close() },
  ];
  if (rt.db.kind !== 'pglite') {
    const database = await openDatabase({});
    const state = createMemoryState();
    const svc = await startService(
      service,
      serviceConfig(service, testEnv()),
      {
        database,
        state,
        dispatch: new LocalDispatch(),
        // The extra runtime's log lines are not asserted on; keep the test output readable.
        logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
      },
      { listen: false },
    );
    list.push({
      kind: 'pglite',
      app: svc.app,
      database,
      async close() {
        await svc.stop();
        await state.close();
        await database.close();
      },
    });
  }
  return list;
}

let all: Backend[] = [];
beforeAll(async () => {
  all = await backends();
});
afterAll(async () => {
  for (const b of all) await b.close();
});

const MOD = {
  'X-WaddleBot-User-Id': '311',
  'X-WaddleBot-User-Name': 'ModMike',
  'X-WaddleBot-User-Role': 'moderator',
};

describe('acceptance §10 inventory 5: concurrent checkouts never over-allocate', () => {
  it('20 concurrent checkouts of 1 on a quantity-5 item: exactly 5 succeed, 15 get 409', async () => {
    expect(all.length).toBeGreaterThanOrEqual(1);
    for (const { kind, app, database } of all) {
      const created = await call(
        app,
        'POST',
        '/api/v1/inventory/7/items',
        { item_name: 'Headset', quantity: 5 },
        serviceHeaders(MOD),
      );
      expect(created.status, kind).toBe(201);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(
            app,
            'POST',
            '/api/v1/inventory/7/items/Headset/checkout',
            { checked_out_to: `user${i}`, quantity: 1 },
            serviceHeaders(MOD),
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(
        statuses.filter((s) => s === 200),
        kind,
      ).toHaveLength(5);
      expect(
        statuses.filter((s) => s === 409),
        kind,
      ).toHaveLength(15);
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('CONFLICT');
      const got = await call(app, 'GET', '/api/v1/inventory/7/items/Headset', undefined, serviceHeaders(MOD));
      expect(got.body.data.item.available_quantity, kind).toBe(0);
      expect(got.body.data.item.checkouts, kind).toHaveLength(5);
      const db = database.forSchema('inventory');
      const checkouts = await db
        .selectFrom('inventory_checkouts')
        .selectAll()
        .where('returned_at', 'is', null)
        .execute();
      expect(
        checkouts.reduce((s, c) => s + c.quantity, 0),
        kind,
      ).toBe(5);
      const trail = await db
        .selectFrom('inventory_activity')
        .selectAll()
        .where('action', '=', 'checkout')
        .execute();
      expect(trail, kind).toHaveLength(5);
    }
  });

  it('concurrent adds of one name in different case create exactly one item', async () => {
    for (const { kind, app, database } of all) {
      const names = ['Dock', 'dock', 'DOCK', 'dOck', 'docK', 'Dock'];
      const results = await Promise.all(
        names.map((n) => call(app, 'POST', '/interaction', mod(`!inventory add ${n}`, { community: '11' }))),
      );
      expect(
        results.every((r) => r.status === 200),
        kind,
      ).toBe(true);
      expect(
        results.filter((r) => r.body.success),
        kind,
      ).toHaveLength(1);
      for (const r of results.filter((x) => !x.body.success)) expect(r.body.error_code).toBe('CONFLICT');
      const rows = await database
        .forSchema('inventory')
        .selectFrom('inventory_items')
        .selectAll()
        .where('community_id', '=', '11')
        .execute();
      expect(rows, kind).toHaveLength(1);
    }
  });
});
