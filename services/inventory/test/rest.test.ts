import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  type TestRuntime,
} from '@waddlebot/core/testing';
import { service } from '../src/service.js';
import { mod } from './module-request.js';

let rt: TestRuntime;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];

beforeAll(async () => {
  rt = await createTestRuntime();
  app = (await rt.add(service)).app;
});
afterAll(() => rt.close());

const as = (role: string, id = '311', name = 'ModMike') => ({
  'X-WaddleBot-User-Id': id,
  'X-WaddleBot-User-Name': name,
  'X-WaddleBot-User-Role': role,
});
const MOD = as('moderator');
const ADMIN = as('admin', '400', 'Ada');
const MEMBER = as('member', '777', 'Bob');
const rest = (method: string, path: string, body?: unknown, headers: Record<string, string> = MOD) =>
  call(app, method, path, body, serviceHeaders(headers));
const db = () => rt.db.database.forSchema('inventory');
const items = (c: string) => `/api/v1/inventory/${c}/items`;
const item = (c: string, name: string) => `${items(c)}/${encodeURIComponent(name)}`;

describe('service key on every route', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', items('7')],
    ['POST', items('7'), { item_name: 'x' }],
    ['GET', item('7', 'x')],
    ['PATCH', item('7', 'x'), { quantity: 2 }],
    ['DELETE', item('7', 'x')],
    ['POST', `${item('7', 'x')}/checkout`, { checked_out_to: 'bob' }],
    ['POST', `${item('7', 'x')}/checkin`, {}],
    ['POST', `${item('7', 'x')}/labels`, { label: 'a' }],
    ['DELETE', `${item('7', 'x')}/labels/a`],
    ['GET', '/api/v1/inventory/7/stats'],
    ['GET', '/api/v1/inventory/7/activity'],
    ['POST', '/internal/user-merged', { from_uid: '1', into_uid: '2' }],
  ];
  it.each(routes)('%s %s: none → AUTH_REQUIRED, wrong → INVALID_API_KEY', async (method, path, body) => {
    const none = await call(app, method, path, body, { 'Content-Type': 'application/json', ...MOD });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('AUTH_REQUIRED');
    const wrong = await call(app, method, path, body, {
      'Content-Type': 'application/json',
      'X-Service-Key': 'not-the-key-not-the-key-not-the-key-000',
      ...MOD,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_API_KEY');
  });
});

describe('items', () => {
  it('creates an item and answers the §5 item shape', async () => {
    const res = await rest('POST', items('7'), {
      item_name: 'HDMI cable',
      description: '2 m cables',
      labels: [' Electronics ', 'AV'],
      quantity: 3,
    });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.data.item).toMatchObject({
      item_name: 'HDMI cable',
      description: '2 m cables',
      labels: ['electronics', 'av'],
      quantity: 3,
      available_quantity: 3,
      is_checked_out: false,
      checked_out_to: null,
      checkouts: [],
      created_by: '311',
    });
    expect(res.body.data.item.created_at).toMatch(/Z$/);
    expect(res.body.data.item).not.toHaveProperty('holders');
  });

  it('refuses duplicates (any case) with 409 and bad input with 400, writing nothing', async () => {
    const dup = await rest('POST', items('7'), { item_name: 'hdmi CABLE' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    expect(dup.body.error.message).toContain('already in the inventory');
    const bad: [unknown, string][] = [
      [{ item_name: '' }, 'item_name'],
      [{ item_name: '   ' }, 'item_name'],
      [{ item_name: 'n'.repeat(256) }, 'item_name'],
      [{ item_name: 'q', quantity: 0 }, 'quantity'],
      [{ item_name: 'q', quantity: -2 }, 'quantity'],
      [{ item_name: 'q', quantity: 2.5 }, 'quantity'],
      [{ item_name: 'q', quantity: 10001 }, 'quantity'],
      [{ item_name: 'q', description: 'd'.repeat(2001) }, 'description'],
      [{ item_name: 'q', labels: ['l'.repeat(51)] }, 'labels.0'],
      [{ item_name: 'q', labels: ['a', 'A '] }, 'labels'],
      [{ item_name: 'q', labels: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'labels'],
    ];
    for (const [body, path] of bad) {
      const res = await rest('POST', items('7'), body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const labelsMsg = await rest('POST', items('7'), {
      item_name: 'q',
      labels: ['a', 'b', 'c', 'd', 'e', 'f'],
    });
    expect(labelsMsg.body.error.message).toBe('At most 5 labels per item');
    const badCommunity = await rest('POST', items('abc'), { item_name: 'q' });
    expect(badCommunity.status).toBe(400);
    const malformed = await call(app, 'POST', items('7'), '{"item_name":', serviceHeaders(MOD));
    expect(malformed.status).toBe(400);
    const count = await db()
      .selectFrom('inventory_items')
      .select(db().fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it('needs a moderator when a user is named; a bare service call acts as the system', async () => {
    const member = await rest('POST', items('7'), { item_name: 'Mic' }, MEMBER);
    expect(member.status).toBe(403);
    expect(member.body.error.code).toBe('FORBIDDEN');
    const nameOnly = await rest('POST', items('7'), { item_name: 'Mic' }, { 'X-WaddleBot-User-Name': 'Bob' });
    expect(nameOnly.status).toBe(403);
    expect(await db().selectFrom('inventory_items').where('item_name', '=', 'Mic').execute()).toEqual([]);
    const system = await rest('POST', items('11'), { item_name: 'Mic', quantity: 2 }, {});
    expect(system.status).toBe(201);
    expect(system.body.data.item.created_by).toBe('system');
    const lent = await rest('POST', `${item('11', 'Mic')}/checkout`, { checked_out_to: 'zoe' }, {});
    expect(lent.status).toBe(200);
    const trail = await db()
      .selectFrom('inventory_activity')
      .select(['action', 'performed_by'])
      .where('community_id', '=', '11')
      .orderBy('id')
      .execute();
    expect(trail).toEqual([
      { action: 'add', performed_by: 'system' },
      { action: 'checkout', performed_by: 'system' },
    ]);
  });

  it('gets an item by URL-encoded name, case-insensitively, with checkouts', async () => {
    await rest('POST', `${item('7', 'HDMI cable')}/checkout`, { checked_out_to: '@bob', quantity: 2 });
    const res = await rest('GET', item('7', 'hdmi cable'), undefined, MEMBER);
    expect(res.status).toBe(200);
    expect(res.body.data.item).toMatchObject({
      item_name: 'HDMI cable',
      available_quantity: 1,
      is_checked_out: true,
      checked_out_to: 'bob',
      checkouts: [{ checked_out_to: 'bob', quantity: 2 }],
    });
    const missing = await rest('GET', item('7', 'nothing'));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
    expect(missing.body.error.message).toBe("No item named 'nothing'");
  });

  it('handles names with slashes, quotes and percent signs in the path', async () => {
    const name = `A/B switch 100% "pro"`;
    const created = await rest('POST', items('12'), { item_name: name });
    expect(created.status).toBe(201);
    const got = await rest('GET', item('12', name.toUpperCase()));
    expect(got.status).toBe(200);
    expect(got.body.data.item.item_name).toBe(name);
    const lent = await rest('POST', `${item('12', name)}/checkout`, { checked_out_to: 'amy' });
    expect(lent.status).toBe(200);
    expect((await rest('GET', item('12', 'A/B switch 100'))).status).toBe(404);
  });

  it('lists with filter, search, count and pagination meta', async () => {
    await rest('POST', items('7'), { item_name: 'Projector', labels: ['av'] });
    await rest('POST', items('7'), { item_name: 'Board game', description: 'Catan' });
    const all = await rest('GET', `${items('7')}?per_page=2`, undefined, MEMBER);
    expect(all.status).toBe(200);
    expect(all.body.data.count).toBe(3);
    expect(all.body.data.items.map((i: { item_name: string }) => i.item_name)).toEqual([
      'Board game',
      'HDMI cable',
    ]);
    expect(all.body.meta).toMatchObject({ page: 1, per_page: 2, total: 3, total_pages: 2, has_next: true });
    const page2 = await rest('GET', `${items('7')}?per_page=2&page=2`);
    expect(page2.body.data.items.map((i: { item_name: string }) => i.item_name)).toEqual(['Projector']);
    const av = await rest('GET', `${items('7')}?q=AV`);
    expect(av.body.data.items.map((i: { item_name: string }) => i.item_name)).toEqual([
      'HDMI cable',
      'Projector',
    ]);
    const out = await rest('GET', `${items('7')}?filter=checked_out`);
    expect(out.body.data.items.map((i: { item_name: string }) => i.item_name)).toEqual(['HDMI cable']);
    const alias = await rest('GET', `${items('7')}?filter=checkedout`);
    expect(alias.body.data.count).toBe(1);
    const available = await rest('GET', `${items('7')}?filter=available`);
    expect(available.body.data.count).toBe(3);
    const bad = await rest('GET', `${items('7')}?filter=nope`);
    expect(bad.status).toBe(400);
    const badPage = await rest('GET', `${items('7')}?per_page=0`);
    expect(badPage.status).toBe(400);
  });

  it('patches description and quantity, never below what is out', async () => {
    const res = await rest('PATCH', item('7', 'HDMI cable'), { description: 'Long cables', quantity: 4 });
    expect(res.status).toBe(200);
    expect(res.body.data.item).toMatchObject({
      description: 'Long cables',
      quantity: 4,
      available_quantity: 2,
    });
    const below = await rest('PATCH', item('7', 'HDMI cable'), { quantity: 1 });
    expect(below.status).toBe(409);
    expect(below.body.error.message).toContain('below the 2 unit(s) checked out');
    const empty = await rest('PATCH', item('7', 'HDMI cable'), {});
    expect(empty.status).toBe(400);
    const fraction = await rest('PATCH', item('7', 'HDMI cable'), { quantity: 1.5 });
    expect(fraction.status).toBe(400);
    const member = await rest('PATCH', item('7', 'HDMI cable'), { quantity: 9 }, MEMBER);
    expect(member.status).toBe(403);
    const missing = await rest('PATCH', item('7', 'nothing'), { quantity: 9 });
    expect(missing.status).toBe(404);
    const row = await db()
      .selectFrom('inventory_items')
      .selectAll()
      .where('item_name', '=', 'HDMI cable')
      .executeTakeFirstOrThrow();
    expect(row.quantity).toBe(4);
  });
});

describe('checkout and checkin', () => {
  it('lends and returns with the §5 refusals', async () => {
    const carol = await rest('POST', `${item('7', 'HDMI cable')}/checkout`, { checked_out_to: 'carol' });
    expect(carol.status).toBe(200);
    expect(carol.body.data).toMatchObject({ checked_out_to: 'carol', quantity: 1 });
    expect(carol.body.data.item.available_quantity).toBe(1);
    const tooMany = await rest('POST', `${item('7', 'HDMI cable')}/checkout`, {
      checked_out_to: 'dan',
      quantity: 2,
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.message).toBe('Only 1 of HDMI cable available');
    const badQty = await rest('POST', `${item('7', 'HDMI cable')}/checkout`, {
      checked_out_to: 'dan',
      quantity: 0,
    });
    expect(badQty.status).toBe(400);
    const noName = await rest('POST', `${item('7', 'HDMI cable')}/checkout`, { checked_out_to: '@' });
    expect(noName.status).toBe(400);
    const member = await rest('POST', `${item('7', 'HDMI cable')}/checkout`, { checked_out_to: 'x' }, MEMBER);
    expect(member.status).toBe(403);
    expect(member.body.error.code).toBe('FORBIDDEN');

    const several = await rest('POST', `${item('7', 'HDMI cable')}/checkin`, {});
    expect(several.status).toBe(409);
    expect(several.body.error.message).toContain('several users (bob, carol)');
    const back = await rest('POST', `${item('7', 'HDMI cable')}/checkin`, { checked_out_to: 'BOB' });
    expect(back.status).toBe(200);
    expect(back.body.data).toMatchObject({ checked_out_to: 'bob', quantity: 2 });
    expect(back.body.data.item.available_quantity).toBe(3);
    const memberIn = await rest('POST', `${item('7', 'HDMI cable')}/checkin`, {}, MEMBER);
    expect(memberIn.status).toBe(403);
    const last = await rest('POST', `${item('7', 'HDMI cable')}/checkin`, {});
    expect(last.status).toBe(200);
    expect(last.body.data.item).toMatchObject({ is_checked_out: false, checked_out_to: null });
    expect(last.body.data.item.checked_in_at).toMatch(/Z$/);
    const nobody = await rest('POST', `${item('7', 'HDMI cable')}/checkin`, {});
    expect(nobody.status).toBe(409);
    expect(nobody.body.error.message).toBe("'HDMI cable' is not checked out");
    const missing = await rest('POST', `${item('7', 'ghost')}/checkout`, { checked_out_to: 'x' });
    expect(missing.status).toBe(404);
  });
});

describe('request shapes', () => {
  it('checks in without a body when one borrower holds the item', async () => {
    await rest('POST', items('13'), { item_name: 'Drill' });
    await rest('POST', `${item('13', 'Drill')}/checkout`, { checked_out_to: 'amy' });
    const res = await call(app, 'POST', `${item('13', 'Drill')}/checkin`, undefined, {
      'X-Service-Key': TEST_SERVICE_KEY,
      ...MOD,
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ checked_out_to: 'amy', quantity: 1 });
  });

  it('reads a zero-padded community id as the community chat uses', async () => {
    await call(app, 'POST', '/interaction', mod('!inventory add Ladder', { community: '14' }));
    const padded = await rest('GET', item('014', 'ladder'));
    expect(padded.status).toBe(200);
    expect(padded.body.data.item.item_name).toBe('Ladder');
    expect((await rest('POST', items('0014'), { item_name: 'LADDER' })).status).toBe(409);
  });
});

describe('labels', () => {
  it('adds and removes with conflict, not-found and validation answers', async () => {
    const add = await rest('POST', `${item('7', 'Projector')}/labels`, { label: ' Video ' });
    expect(add.status).toBe(200);
    expect(add.body.data.item.labels).toEqual(['av', 'video']);
    const dup = await rest('POST', `${item('7', 'Projector')}/labels`, { label: 'VIDEO' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe("'Projector' already has label 'video'");
    const empty = await rest('POST', `${item('7', 'Projector')}/labels`, { label: ' ' });
    expect(empty.status).toBe(400);
    const long = await rest('POST', `${item('7', 'Projector')}/labels`, { label: 'x'.repeat(51) });
    expect(long.status).toBe(400);
    const member = await rest('POST', `${item('7', 'Projector')}/labels`, { label: 'z' }, MEMBER);
    expect(member.status).toBe(403);
    const del = await rest('DELETE', `${item('7', 'Projector')}/labels/AV`);
    expect(del.status).toBe(200);
    expect(del.body.data.item.labels).toEqual(['video']);
    const absent = await rest('DELETE', `${item('7', 'Projector')}/labels/av`);
    expect(absent.status).toBe(404);
    expect(absent.body.error.message).toBe("'Projector' has no label 'av'");
  });

  it('stops at MAX_LABELS_PER_ITEM', async () => {
    for (const l of ['a', 'b', 'c', 'd'])
      expect((await rest('POST', `${item('7', 'Projector')}/labels`, { label: l })).status).toBe(200);
    const sixth = await rest('POST', `${item('7', 'Projector')}/labels`, { label: 'e' });
    expect(sixth.status).toBe(400);
    expect(sixth.body.error.message).toBe('At most 5 labels per item');
  });
});

describe('delete', () => {
  it('needs an admin, refuses while units are out, then answers 204', async () => {
    await rest('POST', `${item('7', 'Board game')}/checkout`, { checked_out_to: 'eve' });
    const asMod = await rest('DELETE', item('7', 'Board game'));
    expect(asMod.status).toBe(403);
    const out = await rest('DELETE', item('7', 'Board game'), undefined, ADMIN);
    expect(out.status).toBe(409);
    expect(out.body.error.message).toBe("Item 'Board game' has 1 unit(s) checked out; check them in first");
    await rest('POST', `${item('7', 'Board game')}/checkin`, {});
    const gone = await rest('DELETE', item('7', 'board GAME'), undefined, ADMIN);
    expect(gone.status).toBe(204);
    expect((await rest('GET', item('7', 'Board game'))).status).toBe(404);
    const again = await rest('DELETE', item('7', 'Board game'), undefined, ADMIN);
    expect(again.status).toBe(404);
  });
});

describe('stats and activity', () => {
  it('reports totals, top labels and recent activity', async () => {
    await rest('POST', `${item('7', 'Projector')}/checkout`, { checked_out_to: 'fay' });
    const res = await rest('GET', '/api/v1/inventory/7/stats', undefined, MEMBER);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      total_items: 2,
      checked_out_items: 1,
      available_items: 1,
      total_labels: 7,
    });
    expect(res.body.data.most_used_labels[0]).toEqual({ label: 'a', count: 1 });
    expect(res.body.data.recent_activity).toHaveLength(10);
    expect(res.body.data.recent_activity[0]).toMatchObject({
      action: 'checkout',
      item_name: 'Projector',
      performed_by: '311',
    });
  });

  it('pages the trail newest first; deleted items keep their name', async () => {
    const res = await rest('GET', '/api/v1/inventory/7/activity?limit=200');
    expect(res.status).toBe(200);
    const trail = res.body.data.activity as { action: string; item_name: string; item_id: number | null }[];
    expect(res.body.data.count).toBe(trail.length);
    expect(trail.at(-1)).toMatchObject({ action: 'add', item_name: 'HDMI cable' });
    const deleted = trail.filter((a) => a.item_name === 'Board game');
    expect(deleted.map((a) => a.action)).toEqual(['delete', 'checkin', 'checkout', 'add']);
    expect(deleted.every((a) => a.item_id === null)).toBe(true);
    const page = await rest('GET', '/api/v1/inventory/7/activity?limit=3&page=2');
    expect(page.body.data.activity).toHaveLength(3);
    expect(page.body.meta).toMatchObject({ page: 2, per_page: 3, has_prev: true });
    expect((await rest('GET', '/api/v1/inventory/7/activity?limit=0')).status).toBe(400);
  });
});

describe('another community', () => {
  it('never sees or changes community 7 items', async () => {
    const list = await rest('GET', items('8'));
    expect(list.body.data).toEqual({ items: [], count: 0 });
    expect((await rest('GET', item('8', 'HDMI cable'))).status).toBe(404);
    expect((await rest('PATCH', item('8', 'HDMI cable'), { quantity: 9 })).status).toBe(404);
    expect((await rest('POST', `${item('8', 'HDMI cable')}/checkout`, { checked_out_to: 'x' })).status).toBe(
      404,
    );
    expect((await rest('POST', `${item('8', 'Projector')}/checkin`, {})).status).toBe(404);
    expect((await rest('POST', `${item('8', 'Projector')}/labels`, { label: 'q' })).status).toBe(404);
    expect((await rest('DELETE', `${item('8', 'Projector')}/labels/video`)).status).toBe(404);
    expect((await rest('DELETE', item('8', 'HDMI cable'), undefined, ADMIN)).status).toBe(404);
    const stats = await rest('GET', '/api/v1/inventory/8/stats');
    expect(stats.body.data).toMatchObject({ total_items: 0, total_labels: 0, recent_activity: [] });
    expect((await rest('GET', '/api/v1/inventory/8/activity')).body.data.count).toBe(0);
    const seven = await rest('GET', item('7', 'HDMI cable'));
    expect(seven.body.data.item).toMatchObject({ quantity: 4, description: 'Long cables' });
    expect((await rest('GET', item('7', 'Projector'))).body.data.item.is_checked_out).toBe(true);
  });
});

describe('POST /internal/user-merged', () => {
  it('re-keys creators, lenders, returners and the trail to the surviving uid; idempotent', async () => {
    const chatUser = { id: '4242', name: 'nouid', uid: null };
    await call(
      app,
      'POST',
      '/interaction',
      mod('!inventory add Tripod 2', { community: '9', user: chatUser }),
    );
    await call(
      app,
      'POST',
      '/interaction',
      mod('!inventory checkout Tripod amy', { community: '9', user: chatUser }),
    );
    await rest('POST', `${item('9', 'Tripod')}/checkin`, {}, as('moderator', '500', 'Old'));
    const merge = {
      from_uid: '500',
      into_uid: '900',
      identities: [{ platform: 'twitch', platform_user_id: '4242' }],
    };
    const res = await rest('POST', '/internal/user-merged', merge);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { merged: true } });
    const row = await db()
      .selectFrom('inventory_items')
      .selectAll()
      .where('community_id', '=', '9')
      .executeTakeFirstOrThrow();
    expect(row.created_by).toBe('900');
    const checkout = await db()
      .selectFrom('inventory_checkouts')
      .selectAll()
      .where('community_id', '=', '9')
      .executeTakeFirstOrThrow();
    expect(checkout).toMatchObject({ checked_out_by: '900', returned_by: '900', checked_out_to: 'amy' });
    const trail = await db()
      .selectFrom('inventory_activity')
      .select('performed_by')
      .where('community_id', '=', '9')
      .execute();
    expect(trail.map((t) => t.performed_by)).toEqual(['900', '900', '900']);
    const untouched = await db()
      .selectFrom('inventory_items')
      .select('created_by')
      .where('community_id', '=', '7')
      .execute();
    expect(untouched.every((r) => r.created_by === '311')).toBe(true);
    const again = await rest('POST', '/internal/user-merged', merge);
    expect(again.status).toBe(200);
    const bad = await rest('POST', '/internal/user-merged', { from_uid: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('health', () => {
  it('answers /healthz, /readyz and the /health alias without credentials', async () => {
    expect((await call(app, 'GET', '/healthz', undefined, {})).body).toEqual({ status: 'ok' });
    for (const path of ['/readyz', '/health']) {
      const res = await call(app, 'GET', path, undefined, {});
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'healthy', checks: { database: 'ok' } });
    }
  });
});

describe('documentation', () => {
  it('publishes the REST routes in /openapi.json', async () => {
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/inventory/{community_id}/items',
        '/api/v1/inventory/{community_id}/items/{name}/checkout',
        '/api/v1/inventory/{community_id}/stats',
      ]),
    );
  });
});
