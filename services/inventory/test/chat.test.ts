import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import { service } from '../src/service.js';
import { admin, chat, member, mod } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  rt = await createTestRuntime({ env: { ROUTER_URL: router.url } });
  const svc = await rt.add(service);
  app = svc.app;
  seeded = svc.seeded;
});
afterAll(async () => {
  await rt.close();
  await router.close();
});

const interact = (body: unknown) => call(app, 'POST', '/interaction', body);
const db = () => rt.db.database.forSchema('inventory');
const itemRows = (community: string) =>
  db()
    .selectFrom('inventory_items')
    .selectAll()
    .where('community_id', '=', community)
    .orderBy('id')
    .execute();
const activityRows = (community: string) =>
  db()
    .selectFrom('inventory_activity')
    .selectAll()
    .where('community_id', '=', community)
    .orderBy('id')
    .execute();

describe('start-up', () => {
  it('seeds !inventory with alias inv pointing at INVENTORY_URL/interaction', async () => {
    await seeded;
    const rows = router.calls('POST', '/router/admin/commands').map((r) => r.json);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      command: 'inventory',
      aliases: ['inv'],
      location_url: `${rt.env.INVENTORY_URL}/interaction`,
      module_name: 'inventory',
      required_permission: 'commands.basic',
    });
    expect(router.calls('POST', '/router/admin/commands')[0]!.headers['x-service-key']).toBeTruthy();
  });
});

describe('acceptance §10 inventory 1–2: add, checkout, checkin', () => {
  it('adds with quantity, description and labels; a case-insensitive duplicate is refused', async () => {
    const res = await interact(mod('!inventory add "HDMI cable" 3 "2 m cables" electronics,av'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, module_name: 'inventory', response_action: 'chat' });
    expect(res.body.chat_message).toContain("'HDMI cable'");
    expect(res.body.chat_message).toContain('qty 3');
    const [row] = await itemRows('7');
    expect(row).toMatchObject({
      item_name: 'HDMI cable',
      quantity: 3,
      description: '2 m cables',
      labels: ['electronics', 'av'],
      created_by: '311',
      created_by_name: 'ModMike',
    });

    const dup = await interact(mod('!inventory add "hdmi CABLE"'));
    expect(dup.status).toBe(200);
    expect(dup.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(dup.body.chat_message).toContain('already');
    expect(dup.body.chat_message).toContain('setqty');
    expect(await itemRows('7')).toHaveLength(1);
  });

  it('lends units, refuses over-allocation, needs a name when several hold it', async () => {
    const first = await interact(mod('!inventory checkout "HDMI cable" @bob 2'));
    expect(first.body.success).toBe(true);
    expect(first.body.chat_message).toBe("'HDMI cable' lent to bob (1 of 3 left)");

    const tooMany = await interact(mod('!inventory checkout "HDMI cable" carol 2'));
    expect(tooMany.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(tooMany.body.chat_message).toContain('Only 1 of HDMI cable available');

    const last = await interact(mod('!inventory checkout "hdmi cable" carol 1'));
    expect(last.body.success).toBe(true);
    expect(last.body.chat_message).toContain('0 of 3 left');

    const full = await interact(mod('!inventory checkout "HDMI cable" dave'));
    expect(full.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(full.body.chat_message).toContain('fully lent out');
    expect(full.body.chat_message).toContain('bob');
    expect(full.body.chat_message).toContain('carol');

    const ambiguous = await interact(mod('!inventory checkin "HDMI cable"'));
    expect(ambiguous.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(ambiguous.body.chat_message).toContain('several users');
    expect(ambiguous.body.chat_message).toContain('bob, carol');

    const back = await interact(mod('!inventory checkin "HDMI cable" Bob'));
    expect(back.body.success).toBe(true);
    expect(back.body.chat_message).toContain('returned by bob');
    expect(back.body.chat_message).toContain('2 of 3 available');

    const [item] = await itemRows('7');
    const active = await db()
      .selectFrom('inventory_checkouts')
      .selectAll()
      .where('item_id', '=', item!.id)
      .where('returned_at', 'is', null)
      .execute();
    expect(active.map((c) => [c.checked_out_to, c.quantity])).toEqual([['carol', 1]]);

    const actions = (await activityRows('7')).map((a) => a.action);
    expect(actions).toEqual(['add', 'checkout', 'checkout', 'checkin']);
    const checkin = (await activityRows('7'))[3]!;
    expect(checkin).toMatchObject({ performed_by: '311', performed_by_name: 'ModMike' });
    expect(checkin.details).toMatchObject({ item_name: 'HDMI cable', checked_out_to: 'bob', quantity: 2 });
  });

  it('checkin without a name works when one user holds it; of an item nobody holds is refused', async () => {
    const one = await interact(mod('!inv checkin "HDMI cable"'));
    expect(one.body.success).toBe(true);
    expect(one.body.chat_message).toContain('returned by carol');
    const none = await interact(mod('!inventory checkin "HDMI cable"'));
    expect(none.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(none.body.chat_message).toContain('is not checked out');
  });

  it('refuses a check-in for someone who holds nothing', async () => {
    await interact(mod('!inventory checkout "HDMI cable" bob'));
    const wrong = await interact(mod('!inventory checkin "HDMI cable" zed'));
    expect(wrong.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(wrong.body.chat_message).toContain('zed');
    await interact(mod('!inventory checkin "HDMI cable" bob'));
  });
});

describe('acceptance §10 inventory 3: validation writes nothing', () => {
  const C = '30';
  it.each([
    ['!inventory add widget -2'],
    ['!inventory add gadget 0'],
    ['!inventory add gizmo 2.5'],
    ['!inventory add gizmo 10001'],
    ['!inventory add gizmo +0'],
  ])('%s → quantity error and no row', async (text) => {
    const res = await interact(mod(text, { community: C }));
    expect(res.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(res.body.chat_message).toContain('whole number between 1 and 10000');
    expect(await itemRows(C)).toHaveLength(0);
    expect(await activityRows(C)).toHaveLength(0);
  });

  it('refuses empty names and over-long names, descriptions and labels', async () => {
    const cases: [string, string][] = [
      ['!inventory add ""', 'Item name is required'],
      ['!inventory add', 'Item name is required'],
      [`!inventory add ${'n'.repeat(256)}`, 'at most 255'],
      [`!inventory add thing 1 ${'d'.repeat(2001)}`, 'at most 2000'],
      [`!inventory add thing 1 desc ${'l'.repeat(51)}`, 'at most 50'],
      ['!inventory add thing 1 desc a,A', 'Labels must be unique'],
      ['!inventory add thing 1 desc a,b,c,d,e,f', 'At most 5 labels per item'],
    ];
    for (const [text, message] of cases) {
      const res = await interact(mod(text, { community: C }));
      expect(res.body, text).toMatchObject({ success: false, error_code: 'VALIDATION' });
      expect(res.body.chat_message, text).toContain(message);
    }
    expect(await itemRows(C)).toHaveLength(0);
  });

  it('a non-numeric second token is the description, with trimmed lower-cased labels after it', async () => {
    const res = await interact(mod('!inventory add "Mic stand" "Boom arm" Audio, Stage', { community: C }));
    expect(res.body.success).toBe(true);
    const [row] = await itemRows(C);
    expect(row).toMatchObject({ item_name: 'Mic stand', quantity: 1, description: 'Boom arm' });
    expect(row!.labels).toEqual(['audio', 'stage']);
  });

  it('reads each label token as a comma list; a quoted label keeps its spaces', async () => {
    const res = await interact(
      mod('!inventory add Console 2 "Retro box" "video games, Retro" tools,', { community: C }),
    );
    expect(res.body.success).toBe(true);
    const row = (await itemRows(C)).find((r) => r.item_name === 'Console');
    expect(row!.labels).toEqual(['video games', 'retro', 'tools']);
  });

  it('allows five labels and refuses the sixth', async () => {
    expect((await interact(mod('!inventory add widget2', { community: C }))).body.success).toBe(true);
    for (let i = 1; i <= 5; i++) {
      const res = await interact(mod(`!inventory labels widget2 add L${i}`, { community: C }));
      expect(res.body.success).toBe(true);
      expect(res.body.chat_message).toContain(`l${i}`);
    }
    const sixth = await interact(mod('!inventory labels widget2 add l6', { community: C }));
    expect(sixth.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(sixth.body.chat_message).toContain('At most 5 labels per item');
    const row = (await itemRows(C)).find((r) => r.item_name === 'widget2');
    expect(row!.labels).toEqual(['l1', 'l2', 'l3', 'l4', 'l5']);
  });

  it('label rules: already present, absent, bad action; remove shows what is left', async () => {
    const again = await interact(mod('!inventory labels widget2 add l1', { community: C }));
    expect(again.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(again.body.chat_message).toContain("already has label 'l1'");
    const absent = await interact(mod('!inventory labels widget2 remove nope', { community: C }));
    expect(absent.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect(absent.body.chat_message).toContain("has no label 'nope'");
    const bad = await interact(mod('!inventory labels widget2 rename l1', { community: C }));
    expect(bad.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(bad.body.chat_message).toContain('Action must be add or remove');
    const removed = await interact(mod('!inventory labels widget2 remove L1', { community: C }));
    expect(removed.body.success).toBe(true);
    expect(removed.body.chat_message).toContain('l2, l3, l4, l5');
    const acts = (await activityRows(C)).map((a) => a.action);
    expect(acts.filter((a) => a === 'label_add')).toHaveLength(5);
    expect(acts.filter((a) => a === 'label_remove')).toHaveLength(1);
    const memberTry = await interact(member('!inventory labels widget2 add x', { community: C }));
    expect(memberTry.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
  });
});

describe('acceptance §10 inventory 4: roles and delete', () => {
  const C = '40';
  it('members cannot lend or change; moderators cannot delete', async () => {
    await interact(mod('!inventory add x 2', { community: C }));
    for (const text of [
      '!inventory checkout x bob',
      '!inventory checkin x',
      '!inventory add y',
      '!inventory setqty x 3',
    ]) {
      const res = await interact(member(text, { community: C }));
      expect(res.status).toBe(200);
      expect(res.body, text).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
      expect(res.body.chat_message).toContain("You don't have permission to");
    }
    const modDelete = await interact(mod('!inventory delete x', { community: C }));
    expect(modDelete.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    const audits = rt.logLines
      .map((l) => JSON.parse(l))
      .filter((l) => l.category === 'AUDIT' && l.community === C);
    expect(audits.map((a) => [a.action, a.result])).toEqual([
      ['inventory_add', 'SUCCESS'],
      ['inventory_checkout', 'DENIED'],
      ['inventory_checkin', 'DENIED'],
      ['inventory_add', 'DENIED'],
      ['inventory_setqty', 'DENIED'],
      ['inventory_delete', 'DENIED'],
    ]);
    expect(await itemRows(C)).toHaveLength(1);
    expect((await activityRows(C)).map((a) => a.action)).toEqual(['add']);
  });

  it('an admin cannot delete while units are out; after check-in the trail keeps the name', async () => {
    await interact(mod('!inventory checkout x bob', { community: C }));
    const refused = await interact(admin('!inventory delete X', { community: C }));
    expect(refused.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(refused.body.chat_message).toContain('1 unit(s) checked out');
    expect(await itemRows(C)).toHaveLength(1);

    await interact(mod('!inventory checkin x', { community: C }));
    const deleted = await interact(admin('!inventory delete X', { community: C }));
    expect(deleted.body.success).toBe(true);
    expect(deleted.body.chat_message).toContain("Deleted 'x'");
    expect(await itemRows(C)).toHaveLength(0);
    const trail = await activityRows(C);
    expect(trail.map((a) => a.action)).toEqual(['add', 'checkout', 'checkin', 'delete']);
    for (const row of trail) {
      expect(row.item_id).toBeNull();
      expect((row.details as { item_name: string }).item_name).toBe('x');
    }
    const gone = await interact(mod('!inventory status x', { community: C }));
    expect(gone.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    expect(gone.body.chat_message).toContain("No item named 'x'");
    const owner = await interact(chat('!inventory add x', { role: 'owner', community: C }));
    expect(owner.body.success).toBe(true);
  });
});

describe('setqty, list, search, status, stats, help', () => {
  const C = '50';
  beforeAll(async () => {
    for (const text of [
      '!inventory add "Xbox controller" 4 "Wireless pad" gaming,console',
      '!inventory add Projector 1 "Epson 4K" av',
      '!inventory add "Cable tester"',
      '!inventory add "Board game" 2 "Has 100% of pieces" games',
    ])
      expect((await interact(mod(text, { community: C }))).body.success, text).toBe(true);
    (rt.clock as FakeClock).set(new Date('2025-11-20T18:00:00Z'));
    await interact(mod('!inventory checkout "xbox controller" @alice 3', { community: C }));
    await interact(mod('!inventory checkout projector carol', { community: C }));
  });

  it('setqty changes the total but never below what is out', async () => {
    const low = await interact(mod('!inventory setqty "Xbox controller" 2', { community: C }));
    expect(low.body).toMatchObject({ success: false, error_code: 'CONFLICT' });
    expect(low.body.chat_message).toContain('below the 3 unit(s) checked out');
    const bad = await interact(mod('!inventory setqty "Xbox controller" 1.5', { community: C }));
    expect(bad.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    const okay = await interact(mod('!inventory setqty "Xbox controller" 5', { community: C }));
    expect(okay.body.success).toBe(true);
    expect(okay.body.chat_message).toContain('5');
    expect(okay.body.chat_message).toContain('2 available');
    const missing = await interact(mod('!inventory setqty nothing 5', { community: C }));
    expect(missing.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
  });

  it('lists sorted by name with available/qty and holders; filters available and checked_out', async () => {
    const all = await interact(member('!inventory list', { community: C }));
    expect(all.body.success).toBe(true);
    const text: string = all.body.chat_message;
    const order = [
      'Board game (2/2)',
      'Cable tester (1/1)',
      'Projector (0/1) with carol',
      'Xbox controller (2/5) with alice ×3',
    ];
    let at = -1;
    for (const entry of order) {
      const i = text.indexOf(entry);
      expect(i, entry).toBeGreaterThan(at);
      at = i;
    }
    const available = (await interact(member('!inventory list available', { community: C }))).body
      .chat_message;
    expect(available).toContain('Xbox controller');
    expect(available).not.toContain('Projector');
    const out = (await interact(member('!inv list checkedout', { community: C }))).body.chat_message;
    expect(out).toContain('Projector');
    expect(out).toContain('Xbox controller');
    expect(out).not.toContain('Board game');
    const bad = await interact(member('!inventory list broken', { community: C }));
    expect(bad.body).toMatchObject({ success: false, error_code: 'USAGE' });
  });

  it('search matches name, description and labels case-insensitively, once each', async () => {
    const byLabel = (await interact(member('!inventory search GAM', { community: C }))).body.chat_message;
    expect(byLabel).toContain('Board game');
    expect(byLabel).toContain('Xbox controller');
    expect(byLabel.match(/Board game/g)).toHaveLength(1);
    const byDescription = (await interact(member('!inventory search epson', { community: C }))).body
      .chat_message;
    expect(byDescription).toContain('Projector');
    expect(byDescription).not.toContain('Board');
    const literalPercent = (await interact(member('!inventory search 100%', { community: C }))).body
      .chat_message;
    expect(literalPercent).toContain('Board game');
    expect(literalPercent).not.toContain('Projector');
    const none = await interact(member('!inventory search zzz', { community: C }));
    expect(none.body.success).toBe(true);
    expect(none.body.chat_message).toContain('No items match');
    const other = await interact(member('!inventory search gam', { community: '51' }));
    expect(other.body.chat_message).not.toContain('Board game');
  });

  it('status shows holders since when, or available with the last check-in', async () => {
    const held = (await interact(member('!inventory status projector', { community: C }))).body.chat_message;
    expect(held).toContain('Projector: with carol since 2025-11-20 18:00 UTC');
    (rt.clock as FakeClock).set(new Date('2025-11-21T09:30:00Z'));
    await interact(mod('!inventory checkin projector', { community: C }));
    const free = (await interact(member('!inventory status PROJECTOR', { community: C }))).body.chat_message;
    expect(free).toContain('Projector: available');
    expect(free).toContain('2025-11-21 09:30 UTC');
    const never = (await interact(member('!inventory status "cable tester"', { community: C }))).body
      .chat_message;
    expect(never).toBe('Cable tester: available');
  });

  it('stats counts items, checked out, available and top labels', async () => {
    const res = await interact(member('!inventory stats', { community: C }));
    expect(res.body.chat_message).toBe(
      'Items: 4, checked out: 1, available: 4, labels: 4. Top labels: av, console, games',
    );
    const empty = await interact(member('!inventory stats', { community: '52' }));
    expect(empty.body.chat_message).toContain('Items: 0');
  });

  it('answers help for a bare command and USAGE for an unknown subcommand; ignores events', async () => {
    const bare = await interact(member('!inventory', { community: C }));
    expect(bare.body.success).toBe(true);
    expect(bare.body.chat_message).toContain('checkout');
    const unknown = await interact(member('!inventory frobnicate', { community: C }));
    expect(unknown.body).toMatchObject({ success: false, error_code: 'USAGE' });
    expect(unknown.body.chat_message).toContain('checkin');
    const event = await interact({ ...member('', { community: C }), trigger_type: 'event', command: '' });
    expect(event.body).toMatchObject({ success: true, skipped: true, response_action: null });
    // A string rule running `inventory status projector` (router-and-receivers §3.9).
    const rule = await interact({
      ...member('where is the projector', { community: C }),
      trigger_type: 'string_match',
      command: 'inventory',
      args: ['status', 'projector'],
      args_text: '',
    });
    expect(rule.body).toMatchObject({ success: true, response_action: 'chat' });
    expect(rule.body.chat_message).toContain('Projector: ');
  });

  it('keeps long lists within one chat message', async () => {
    const D = '53';
    for (let i = 0; i < 40; i++)
      await interact(
        mod(`!inventory add "Long item name number ${String(i).padStart(2, '0')}"`, { community: D }),
      );
    const res = await interact(member('!inventory list', { community: D }));
    expect(res.body.chat_message.length).toBeLessThanOrEqual(450);
    expect(res.body.chat_message).toMatch(/… and \d+ more$/);
    const E = '54';
    const longName = 'N'.repeat(255);
    await interact(mod(`!inventory add ${longName} 40`, { community: E }));
    for (let i = 0; i < 30; i++)
      await interact(mod(`!inventory checkout ${longName} borrower_number_${i}`, { community: E }));
    for (const text of [
      `!inventory status ${longName}`,
      '!inventory list',
      '!inventory checkin ' + longName,
    ]) {
      const reply = await interact(mod(text, { community: E }));
      expect(reply.body.chat_message.length, text).toBeLessThanOrEqual(450);
      expect(reply.body.chat_message, text).toContain('NNNN');
    }
  });
});

describe('community scoping and transport', () => {
  it('another community neither sees nor changes community 7 items', async () => {
    const status = await interact(mod('!inventory status "HDMI cable"', { community: '8' }));
    expect(status.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    const lend = await interact(mod('!inventory checkout "HDMI cable" eve', { community: '8' }));
    expect(lend.body).toMatchObject({ success: false, error_code: 'NOT_FOUND' });
    const del = await interact(admin('!inventory delete "HDMI cable"', { community: '8' }));
    expect(del.body.error_code).toBe('NOT_FOUND');
    const list = await interact(mod('!inventory list', { community: '8' }));
    expect(list.body.chat_message).not.toContain('HDMI');
    // The same name is free in another community.
    const add = await interact(mod('!inventory add "HDMI cable"', { community: '8' }));
    expect(add.body.success).toBe(true);
    const seven = await itemRows('7');
    expect(seven).toHaveLength(1);
    expect(seven[0]!.quantity).toBe(3);
  });

  it('stores the platform key when the user has no uid', async () => {
    const res = await interact(
      mod('!inventory add "Spare mouse"', { community: '9', user: { id: '4242', name: 'nouid', uid: null } }),
    );
    expect(res.body.success).toBe(true);
    expect((await itemRows('9'))[0]!.created_by).toBe('twitch:4242');
  });

  it('answers on the legacy /inventory path and rejects bad transport', async () => {
    const legacy = await call(app, 'POST', '/inventory', member('!inventory list'));
    expect(legacy.status).toBe(200);
    expect(legacy.body.chat_message).toContain('HDMI cable');
    const noKey = await call(app, 'POST', '/interaction', member('!inventory list'), {
      'Content-Type': 'application/json',
    });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBe('AUTH_REQUIRED');
    const wrongKey = await call(app, 'POST', '/interaction', member('!inventory list'), {
      'Content-Type': 'application/json',
      'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong-key',
    });
    expect(wrongKey.body.error.code).toBe('INVALID_API_KEY');
    const { session_id: _drop, ...noSession } = member('!inventory list');
    const malformed = await interact(noSession);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
  });
});
