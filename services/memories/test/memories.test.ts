import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_SERVICE_KEY,
  call,
  createTestRuntime,
  serviceHeaders,
  startFakeServer,
  type FakeServer,
  type TestRuntime,
} from '@waddlebot/core/testing';
import type { FakeClock } from '@waddlebot/core';
import { service } from '../src/service.js';
import { chat, member, mod } from './module-request.js';

let rt: TestRuntime;
let router: FakeServer;
let app: Awaited<ReturnType<TestRuntime['add']>>['app'];
let seeded: Promise<void>;

beforeAll(async () => {
  router = await startFakeServer();
  router.on('POST', '/router/admin/commands', { status: 201, body: { success: true, data: {} } });
  router.on('POST', '/router/messages/outbound', {
    status: 200,
    body: { success: true, outbound_id: 'o1', duplicate: false },
  });
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
const db = () => rt.db.database.forSchema('memories');
const memoryRow = (id: number) =>
  db().selectFrom('memories').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const labelled = {
  role: 'member' as const,
  labels: ['memories'],
  user: { id: '901', name: 'lena', display_name: 'Lena' },
};
const rest = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(app, method, path, body, serviceHeaders(headers));
const asMod = {
  'X-WaddleBot-User-Id': '311',
  'X-WaddleBot-User-Name': 'ModMike',
  'X-WaddleBot-User-Role': 'moderator',
};

describe('start-up', () => {
  it('seeds !memories pointing at MEMORIES_URL/interaction', async () => {
    await seeded;
    const rows = router.calls('POST', '/router/admin/commands').map((r) => r.json);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      command: 'memories',
      location_url: `${rt.env.MEMORIES_URL}/interaction`,
      module_name: 'memories',
    });
    expect(router.calls('POST', '/router/admin/commands')[0]!.headers['x-service-key']).toBe(
      TEST_SERVICE_KEY,
    );
  });
});

describe('acceptance §10 Memories', () => {
  let quoteId: number;
  let urlId: number;

  it('1. a label holder adds a quote; a plain member may not; !memories quotes counts a use', async () => {
    const added = await interact(chat('!memories add quote "Never give up" Bob', labelled));
    expect(added.status).toBe(200);
    expect(added.body.success).toBe(true);
    expect(added.body.chat_message).toMatch(/^Quote #\d+ added: "Never give up" — Bob/);
    quoteId = Number(/#(\d+)/.exec(added.body.chat_message)![1]);
    const row = await memoryRow(quoteId);
    expect(row).toMatchObject({
      memory_type: 'quote',
      title: 'Quote by Bob',
      author: 'Bob',
      created_by: 'twitch:901',
    });

    const denied = await interact(member('!memories add quote "x"'));
    expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect(denied.body.chat_message).toContain('memories label');

    const random = await interact(member('!memories quotes'));
    expect(random.body.chat_message).toContain('Never give up');
    expect((await memoryRow(quoteId)).usage_count).toBe(1);
  });

  it('2. URLs get https:// added, bad schemes are refused, edit re-validates', async () => {
    const added = await interact(mod('!memories add url Docs example.com/guide'));
    expect(added.body.success).toBe(true);
    urlId = Number(/#(\d+)/.exec(added.body.chat_message)![1]);
    expect((await memoryRow(urlId)).url).toBe('https://example.com/guide');

    const bad = await interact(mod('!memories add url Bad "ftp://x"'));
    expect(bad.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(bad.body.chat_message).toContain('not a valid URL');

    const badEdit = await interact(mod(`!memories edit ${urlId} url "not a url"`));
    expect(badEdit.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect((await memoryRow(urlId)).url).toBe('https://example.com/guide');

    const goodEdit = await interact(mod(`!memories edit ${urlId} url docs.example.org`));
    expect(goodEdit.body.success).toBe(true);
    expect((await memoryRow(urlId)).url).toBe('https://docs.example.org/');

    const badField = await interact(mod(`!memories edit ${urlId} colour red`));
    expect(badField.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(badField.body.chat_message).toContain('title, content, author, url, tags');
  });

  it('3. search is case-insensitive; other communities see nothing; delete needs creator or manager', async () => {
    const found = await interact(member('!memories search "GIVE"'));
    expect(found.body.chat_message).toContain(`#${quoteId}`);
    const none = await interact(member('!memories search "zebra"'));
    expect(none.body.chat_message).toBe('Nothing matches "zebra"');

    const foreign = await interact(member(`!memories get ${quoteId}`, { community: '8' }));
    expect(foreign.body).toMatchObject({
      success: false,
      error_code: 'NOT_FOUND',
      chat_message: 'Memory not found.',
    });
    const foreignDelete = await interact(mod(`!memories delete ${quoteId}`, { community: '8' }));
    expect(foreignDelete.body.error_code).toBe('NOT_FOUND');
    expect((await memoryRow(quoteId)).is_active).toBe(true);

    const denied = await interact(member(`!memories delete ${quoteId}`));
    expect(denied.body).toMatchObject({ success: false, error_code: 'FORBIDDEN' });
    expect((await memoryRow(quoteId)).is_active).toBe(true);

    const deleted = await interact(mod(`!memories delete ${quoteId}`));
    expect(deleted.body.success).toBe(true);
    expect((await memoryRow(quoteId)).is_active).toBe(false);
    const gone = await interact(member(`!memories get ${quoteId}`));
    expect(gone.body.chat_message).toBe('Memory not found.');
  });

  it('4. reminders: time parsing, range and the per-user limit', async () => {
    const user = { id: '4242', name: 'rita', display_name: 'Rita' };
    const set = await interact(member('!memories remind "stretch" in "2 hours"', { user }));
    expect(set.body.success).toBe(true);
    expect(set.body.chat_message).toContain('2025-11-20 20:00 UTC');
    const row = await db()
      .selectFrom('memories_reminders')
      .selectAll()
      .where('user_id', '=', 'twitch:4242')
      .executeTakeFirstOrThrow();
    expect(new Date(row.remind_at).getTime()).toBe(rt.clock.nowMs() + 2 * 3600_000);

    const soon = await interact(member('!memories remind "stretch" in "soon"', { user }));
    expect(soon.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(soon.body.chat_message).toContain("Couldn't read that time");
    const zero = await interact(member('!memories remind "stretch" in 0m', { user }));
    expect(zero.body).toMatchObject({ success: false, error_code: 'VALIDATION' });
    expect(zero.body.chat_message).toContain('between 1 minute and 365 days');
    const far = await interact(member('!memories remind "stretch" in 53 weeks', { user }));
    expect(far.body.error_code).toBe('VALIDATION');
    const unquoted = await interact(member('!memories remind "water" in 2 hours', { user }));
    expect(unquoted.body.success).toBe(true);
    const noIn = await interact(member('!memories remind "water" at 2h', { user }));
    expect(noIn.body.error_code).toBe('USAGE');

    for (let i = 0; i < 8; i++) {
      const r = await interact(member(`!memories remind "r${i}" in ${i + 1}d`, { user }));
      expect(r.body.success).toBe(true);
    }
    const eleventh = await interact(member('!memories remind "too many" in 5m', { user }));
    expect(eleventh.body.success).toBe(false);
    expect(eleventh.body.chat_message).toContain('already have 10 pending reminders');
    const count = await db()
      .selectFrom('memories_reminders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', 'twitch:4242')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(10);
  });

  it('a month is a calendar month', async () => {
    const clock = rt.clock as FakeClock;
    const saved = clock.nowMs();
    clock.set('2026-01-31T10:00:00Z');
    const res = await interact(
      member('!memories remind "rent" in 1 month', { user: { id: '31', name: 'mo' } }),
    );
    clock.set(saved);
    expect(res.body.chat_message).toContain('2026-02-28 10:00 UTC');
  });
});

describe('chat commands', () => {
  it('notes keep tags; list, urls and help', async () => {
    const note = await interact(mod('!memories add note "Raid plan" "Go to streamer X at 9" raids, plans'));
    expect(note.body.success).toBe(true);
    const id = Number(/#(\d+)/.exec(note.body.chat_message)![1]);
    expect((await memoryRow(id)).tags).toEqual(['raids', 'plans']);
    const byTag = await interact(member('!memories search plans'));
    expect(byTag.body.chat_message).toContain(`#${id}`);

    const tooMany = await interact(mod('!memories add note "T" "c" a,b,c,d,e,f,g,h,i,j,k'));
    expect(tooMany.body.error_code).toBe('VALIDATION');

    const notes = await interact(member('!memories list note'));
    expect(notes.body.chat_message).toContain('Raid plan');
    const all = await interact(member('!memories list bogus'));
    expect(all.body.chat_message).toContain('Raid plan');
    expect(all.body.chat_message).toContain('example.org');
    const urls = await interact(member('!memories urls'));
    expect(urls.body.chat_message).toContain('https://docs.example.org/');
    const empty = await interact(member('!memories list quote', { community: '99' }));
    expect(empty.body.chat_message).toBe('No quotes saved yet');
    const emptyAll = await interact(member('!memories list', { community: '99' }));
    expect(emptyAll.body.chat_message).toBe('No memories saved yet');
    const noQuotes = await interact(member('!memories quotes', { community: '99' }));
    expect(noQuotes.body.chat_message).toContain('No quotes yet');
    const help = await interact(member('!memories'));
    expect(help.body.chat_message).toContain('remind');
  });

  it('list without a type shows every type newest first', async () => {
    const where = { community: '31' };
    const clock = rt.clock as FakeClock;
    await interact(mod('!memories add url Old example.com/old', where));
    clock.advance(1000);
    await interact(mod('!memories add quote "Middle quote" Ann', where));
    clock.advance(1000);
    await interact(mod('!memories add note "Newest" "text"', where));
    const all = await interact(member('!memories list', where));
    expect(all.body.chat_message).toMatch(
      /^Memories: Note #\d+ Newest \| Quote #\d+ "Middle quote" — Ann \| URL #\d+ Old/,
    );
  });

  it('URL hosts: localhost and addresses are links, a dotless word is not; nothing is stored for a refusal', async () => {
    const where = { community: '32' };
    const local = await interact(mod('!memories add url Dev "http://localhost:8080/x"', where));
    expect(local.body.success).toBe(true);
    expect(local.body.chat_message).toContain('http://localhost:8080/x');
    const ip = await interact(mod('!memories add url NAS 192.168.1.5/share', where));
    expect(ip.body.chat_message).toContain('https://192.168.1.5/share');
    for (const bad of [
      'nonsense',
      '"javascript:alert(1)"',
      '"https://exa mple.com"',
      `${'a'.repeat(2000)}.com`,
    ]) {
      const res = await interact(mod(`!memories add url Bad ${bad}`, where));
      expect(res.body, bad).toMatchObject({ success: false, error_code: 'VALIDATION' });
    }
    const urls = await db().selectFrom('memories').select('url').where('community_id', '=', '32').execute();
    expect(urls).toHaveLength(2);
  });

  it('edit in another community finds nothing and changes nothing', async () => {
    const added = await interact(mod('!memories add note "Ours" "secret"'));
    const id = Number(/#(\d+)/.exec(added.body.chat_message)![1]);
    const foreign = await interact(mod(`!memories edit ${id} title "Theirs"`, { community: '8' }));
    expect(foreign.body).toMatchObject({
      success: false,
      error_code: 'NOT_FOUND',
      chat_message: 'Memory not found.',
    });
    expect((await memoryRow(id)).title).toBe('Ours');
  });

  it('the creator may edit and delete their own entry without being a manager', async () => {
    const creator = { id: '600', name: 'cara' };
    const added = await interact(chat('!memories add note "Mine" "text"', { ...labelled, user: creator }));
    const id = Number(/#(\d+)/.exec(added.body.chat_message)![1]);
    // Same user later, without the label: still the creator.
    const edit = await interact(member(`!memories edit ${id} title "Mine too"`, { user: creator }));
    expect(edit.body.success).toBe(true);
    expect((await memoryRow(id)).title).toBe('Mine too');
    const other = await interact(member(`!memories edit ${id} title "Theirs"`));
    expect(other.body.error_code).toBe('FORBIDDEN');
    const del = await interact(member(`!memories delete ${id}`, { user: creator }));
    expect(del.body.success).toBe(true);
  });

  it('a malformed ModuleRequest is a 400 and needs the service key', async () => {
    const bad = await call(app, 'POST', '/interaction', { command: 'memories' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_ERROR');
    const noKey = await call(app, 'POST', '/interaction', chat('!memories'), {
      'Content-Type': 'application/json',
    });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBe('AUTH_REQUIRED');
    const wrongKey = await call(app, 'POST', '/memories', chat('!memories'), {
      'Content-Type': 'application/json',
      'X-Service-Key': 'x'.repeat(40),
    });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.error.code).toBe('INVALID_API_KEY');
  });
});

describe('REST', () => {
  let restId: number;
  it('creates, lists, reads, patches and deletes within one community', async () => {
    const created = await rest(
      'POST',
      '/api/v1/memories/7',
      { memory_type: 'quote', content: 'REST quote', author: 'Ann' },
      asMod,
    );
    expect(created.status).toBe(201);
    restId = created.body.data.id;
    expect(created.body.data).toMatchObject({ title: 'Quote by Ann', created_by: '311' });

    const list = await rest('GET', '/api/v1/memories/7?type=quote&q=rest&limit=5');
    expect(list.status).toBe(200);
    expect(list.body.data.total).toBe(1);
    expect(list.body.data.memories[0].id).toBe(restId);
    expect((await rest('GET', '/api/v1/memories/8?q=rest')).body.data.total).toBe(0);

    expect((await rest('GET', `/api/v1/memories/7/${restId}`)).body.data.content).toBe('REST quote');
    expect((await rest('GET', `/api/v1/memories/8/${restId}`)).status).toBe(404);
    const random = await rest('GET', '/api/v1/memories/7/random?type=quote');
    expect(random.body.data.id).toBe(restId);
    expect((await rest('GET', '/api/v1/memories/99/random')).status).toBe(404);

    const patched = await rest('PATCH', `/api/v1/memories/7/${restId}`, { author: 'Anne' }, asMod);
    expect(patched.body.data.author).toBe('Anne');
    const forbidden = await rest(
      'PATCH',
      `/api/v1/memories/7/${restId}`,
      { author: 'X' },
      { 'X-WaddleBot-User-Id': '1' },
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    const foreign = await rest('PATCH', `/api/v1/memories/8/${restId}`, { author: 'X' }, asMod);
    expect(foreign.status).toBe(404);
    const badUrl = await rest('PATCH', `/api/v1/memories/7/${restId}`, { url: 'ftp://x' }, asMod);
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.code).toBe('VALIDATION_ERROR');

    expect((await rest('DELETE', `/api/v1/memories/8/${restId}`, undefined, asMod)).status).toBe(404);
    const del = await rest('DELETE', `/api/v1/memories/7/${restId}`, undefined, asMod);
    expect(del.status).toBe(200);
    expect((await memoryRow(restId)).is_active).toBe(false);
  });

  it('validates input and roles', async () => {
    const member = await rest(
      'POST',
      '/api/v1/memories/7',
      { memory_type: 'note', title: 't', content: 'c' },
      { 'X-WaddleBot-User-Id': '5' },
    );
    expect(member.status).toBe(403);
    const badType = await rest('POST', '/api/v1/memories/7', { memory_type: 'song', content: 'c' }, asMod);
    expect(badType.status).toBe(400);
    expect(badType.body.error.details[0].path).toBe('memory_type');
    const badCommunity = await rest('GET', '/api/v1/memories/abc');
    expect(badCommunity.status).toBe(400);
    const badLimit = await rest('GET', '/api/v1/memories/7?limit=500');
    expect(badLimit.status).toBe(400);
    const malformed = await rest('POST', '/api/v1/memories/7', '{"memory_type": "quote",', asMod);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
    expect(malformed.body.error.request_id).toBeTruthy();
  });

  it('reminders: create, list per user, delete; scoped by community', async () => {
    const base = { user_id: '311', user_name: 'alice', entity_id: 'twitch:1', reminder_text: 'drink' };
    const created = await rest('POST', '/api/v1/memories/7/reminders', { ...base, remind_in: '5m' });
    expect(created.status).toBe(201);
    const id = created.body.data.id;
    const past = await rest('POST', '/api/v1/memories/7/reminders', {
      ...base,
      remind_at: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    const both = await rest('POST', '/api/v1/memories/7/reminders', {
      ...base,
      remind_in: '5m',
      remind_at: '2030-01-01T00:00:00Z',
    });
    expect(both.status).toBe(400);
    const unreadable = await rest('POST', '/api/v1/memories/7/reminders', { ...base, remind_in: 'later' });
    expect(unreadable.status).toBe(400);
    const list = await rest('GET', '/api/v1/memories/7/reminders?user_id=311');
    expect(list.body.data.reminders.map((r: { id: number }) => r.id)).toContain(id);
    expect((await rest('GET', '/api/v1/memories/8/reminders?user_id=311')).body.data.reminders).toEqual([]);
    expect((await rest('DELETE', `/api/v1/memories/8/reminders/${id}`)).status).toBe(404);
    expect((await rest('DELETE', `/api/v1/memories/7/reminders/${id}`)).status).toBe(200);
    const after = await rest('GET', '/api/v1/memories/7/reminders?user_id=311');
    expect(after.body.data.reminders.map((r: { id: number }) => r.id)).not.toContain(id);
  });

  it('names the field at fault, takes tags as a list or a comma list, and stores nothing on a 400', async () => {
    const before = await db().selectFrom('memories').select('id').where('community_id', '=', '41').execute();
    const noUrl = await rest('POST', '/api/v1/memories/41', { memory_type: 'url', title: 'Docs' }, asMod);
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'url' }] });
    const longQuote = await rest(
      'POST',
      '/api/v1/memories/41',
      { memory_type: 'quote', content: 'q'.repeat(501) },
      asMod,
    );
    expect(longQuote.body.error.details[0].path).toBe('content');
    const badTags = await rest(
      'POST',
      '/api/v1/memories/41',
      { memory_type: 'note', content: 'c', tags: ['x'.repeat(31)] },
      asMod,
    );
    expect(badTags.body.error.details[0].path).toBe('tags');
    const noUser = await rest(
      'POST',
      '/api/v1/memories/41',
      { memory_type: 'note', content: 'c' },
      {
        'X-WaddleBot-User-Role': 'moderator',
      },
    );
    expect(noUser.status).toBe(400);
    expect(await db().selectFrom('memories').select('id').where('community_id', '=', '41').execute()).toEqual(
      before,
    );

    const commaTags = await rest(
      'POST',
      '/api/v1/memories/41',
      { memory_type: 'note', title: 'Tagged', content: 'c', tags: 'raids, plans' },
      asMod,
    );
    expect(commaTags.status).toBe(201);
    expect(commaTags.body.data.tags).toEqual(['raids', 'plans']);
    const listTags = await rest(
      'PATCH',
      `/api/v1/memories/41/${commaTags.body.data.id}`,
      { tags: ['a', 'b'] },
      asMod,
    );
    expect(listTags.body.data.tags).toEqual(['a', 'b']);
  });

  it('a call naming no user is the service itself, recorded as system; naming a role alone is a 400', async () => {
    const bySystem = await rest('POST', '/api/v1/memories/47', {
      memory_type: 'note',
      title: 'Imported',
      content: 'c',
    });
    expect(bySystem.status).toBe(201);
    expect(bySystem.body.data).toMatchObject({ created_by: 'system', created_by_name: null });
    const edited = await rest('PATCH', `/api/v1/memories/47/${bySystem.body.data.id}`, {
      title: 'Imported too',
    });
    expect(edited.body.data.title).toBe('Imported too');
    const member = await rest(
      'PATCH',
      `/api/v1/memories/47/${bySystem.body.data.id}`,
      { title: 'Mine now' },
      { 'X-WaddleBot-User-Id': 'twitch:9', 'X-WaddleBot-User-Role': 'member' },
    );
    expect(member.status).toBe(403);
    const roleOnly = await rest('DELETE', `/api/v1/memories/47/${bySystem.body.data.id}`, undefined, {
      'X-WaddleBot-User-Role': 'owner',
    });
    expect(roleOnly.status).toBe(400);
    expect((await memoryRow(bySystem.body.data.id)).is_active).toBe(true);
  });

  it('what one community writes, another never reads', async () => {
    const created = await rest(
      'POST',
      '/api/v1/memories/42',
      { memory_type: 'quote', content: 'Only for 42', author: 'Zed' },
      asMod,
    );
    expect(created.status).toBe(201);
    expect((await rest('GET', '/api/v1/memories/43?q=only')).body.data).toEqual({ memories: [], total: 0 });
    expect((await rest('GET', '/api/v1/memories/43/random?type=quote')).status).toBe(404);
    expect((await rest('GET', `/api/v1/memories/43/${created.body.data.id}`)).status).toBe(404);
    expect((await rest('GET', '/api/v1/memories/042?q=only')).body.data.total).toBe(1);
    const reminder = await rest('POST', '/api/v1/memories/42/reminders', {
      user_id: '5',
      user_name: 'eve',
      entity_id: 'twitch:42',
      reminder_text: 'forty-two',
      remind_in: '1h',
    });
    expect(reminder.status).toBe(201);
    expect((await rest('GET', '/api/v1/memories/43/reminders')).body.data.reminders).toEqual([]);
    expect((await rest('GET', '/api/v1/memories/42/reminders')).body.data.reminders).toHaveLength(1);
  });

  it("a member sets, lists and cancels only their own reminders; a moderator anyone's", async () => {
    const eve = { 'X-WaddleBot-User-Id': 'twitch:55', 'X-WaddleBot-User-Role': 'member' };
    const body = {
      user_id: 'twitch:55',
      user_name: 'eve',
      entity_id: 'discord:1:2',
      reminder_text: 'feed the cat',
      remind_in: '30 minutes',
    };
    const own = await rest('POST', '/api/v1/memories/44/reminders', body, eve);
    expect(own.status).toBe(201);
    expect(own.body.data).toMatchObject({
      user_id: 'twitch:55',
      entity_id: 'discord:1:2',
      delivery_status: 'pending',
    });
    const forOther = await rest(
      'POST',
      '/api/v1/memories/44/reminders',
      { ...body, user_id: 'twitch:66' },
      eve,
    );
    expect(forOther.status).toBe(403);
    expect(forOther.body.error.code).toBe('FORBIDDEN');
    expect(
      (await rest('GET', '/api/v1/memories/44/reminders?user_id=twitch:66', undefined, eve)).status,
    ).toBe(403);
    expect((await rest('GET', '/api/v1/memories/44/reminders', undefined, eve)).status).toBe(403);
    const listed = await rest('GET', '/api/v1/memories/44/reminders?user_id=twitch:55', undefined, eve);
    expect(listed.body.data.reminders.map((r: { id: number }) => r.id)).toEqual([own.body.data.id]);

    const byMod = await rest(
      'POST',
      '/api/v1/memories/44/reminders',
      { ...body, user_id: 'twitch:66' },
      asMod,
    );
    expect(byMod.status).toBe(201);
    const cancelOther = await rest(
      'DELETE',
      `/api/v1/memories/44/reminders/${byMod.body.data.id}`,
      undefined,
      eve,
    );
    expect(cancelOther.status).toBe(403);
    expect(
      (await rest('GET', '/api/v1/memories/44/reminders?user_id=twitch:66')).body.data.reminders,
    ).toHaveLength(1);
    expect(
      (await rest('DELETE', `/api/v1/memories/44/reminders/${own.body.data.id}`, undefined, eve)).status,
    ).toBe(200);
    expect(
      (await rest('DELETE', `/api/v1/memories/44/reminders/${own.body.data.id}`, undefined, eve)).status,
    ).toBe(404);
  });

  it('a reminder must go to a channel: a server-wide or malformed entity is a 400', async () => {
    const base = { user_id: '9', user_name: 'x', reminder_text: 't', remind_in: '5m' };
    for (const entity_id of ['discord:1', 'slack:T1', 'twitch:1:2', 'irc:1']) {
      const res = await rest('POST', '/api/v1/memories/45/reminders', { ...base, entity_id });
      expect(res.status, entity_id).toBe(400);
      expect(res.body.error.details[0].path).toBe('entity_id');
    }
  });

  it('concurrent reminders never exceed the per-user limit', async () => {
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        rest('POST', '/api/v1/memories/46/reminders', {
          user_id: 'twitch:77',
          user_name: 'racer',
          entity_id: 'twitch:46',
          reminder_text: `r${i}`,
          remind_in: `${i + 1}h`,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(
      Array(4).fill('CONFLICT'),
    );
    expect(
      (await rest('GET', '/api/v1/memories/46/reminders?user_id=twitch:77')).body.data.reminders,
    ).toHaveLength(10);
  });

  it('documents its REST routes in /openapi.json', async () => {
    const doc = await call(app, 'GET', '/openapi.json', undefined, {});
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/memories/{community_id}',
        '/api/v1/memories/{community_id}/{id}',
        '/api/v1/memories/{community_id}/random',
        '/api/v1/memories/{community_id}/reminders/{id}',
      ]),
    );
  });

  it('every REST route wants the service key', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/memories/7'],
      ['POST', '/api/v1/memories/7'],
      ['GET', '/api/v1/memories/7/1'],
      ['PATCH', '/api/v1/memories/7/1'],
      ['DELETE', '/api/v1/memories/7/1'],
      ['GET', '/api/v1/memories/7/random'],
      ['POST', '/api/v1/memories/7/reminders'],
      ['GET', '/api/v1/memories/7/reminders'],
      ['DELETE', '/api/v1/memories/7/reminders/1'],
      ['POST', '/internal/user-merged'],
    ] as const) {
      const none = await call(app, method, path, method === 'GET' ? undefined : {}, {
        'Content-Type': 'application/json',
      });
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe('AUTH_REQUIRED');
      const wrong = await call(app, method, path, method === 'GET' ? undefined : {}, {
        'Content-Type': 'application/json',
        'X-Service-Key': 'wrong-key-wrong-key-wrong-key-wrong-key',
      });
      expect(wrong.body.error.code).toBe('INVALID_API_KEY');
    }
  });
});

describe('user merge', () => {
  it('re-keys memories and reminders of the retired keys, idempotently', async () => {
    const user = { id: '1234', name: 'merger' };
    await interact(chat('!memories add note "Merge me" "c"', { ...labelled, user }));
    await interact(member('!memories remind "merged" in 3h', { user }));
    const body = {
      from_uid: '77',
      into_uid: '88',
      identities: [{ platform: 'twitch', platform_user_id: '1234' }],
    };
    const res = await rest('POST', '/internal/user-merged', body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { merged: true } });
    const again = await rest('POST', '/internal/user-merged', body);
    expect(again.status).toBe(200);
    const notes = await db()
      .selectFrom('memories')
      .select('created_by')
      .where('title', '=', 'Merge me')
      .execute();
    expect(notes.map((n) => n.created_by)).toEqual(['88']);
    const reminders = await db()
      .selectFrom('memories_reminders')
      .select('user_id')
      .where('reminder_text', '=', 'merged')
      .execute();
    expect(reminders.map((r) => r.user_id)).toEqual(['88']);
    const bad = await rest('POST', '/internal/user-merged', { from_uid: '' });
    expect(bad.status).toBe(400);
  });
});
