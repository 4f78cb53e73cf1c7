import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_SERVICE_KEY, startFakeServer } from '@waddlebot/core/testing';
import { eventually, startHarness, twitchChat, twitchEvent, type Harness } from './harness.js';

let h: Harness;
let soId: number;

beforeAll(async () => {
  h = await startHarness();
  soId = await h.registerCommand({
    command: 'so',
    aliases: ['shoutout'],
    rate_limit: 2,
    enabled_by_default: true,
  });
});
afterAll(async () => h.close());

beforeEach(() => {
  for (const f of Object.values(h.fakes)) f.requests.length = 0;
});

const send = (body: unknown) => h.post('/router/events', body);

describe('scenario 5: !so @bob end to end through the router', () => {
  it('calls the module with the flat ModuleRequest and answers with replies', async () => {
    const ev = twitchChat('!so @bob', { user_id: '5551', user_name: 'alice' });
    const res = await send(ev);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      success: true,
      processed: true,
      outcome: 'executed',
      command: 'so',
      replies: [{ type: 'chat', text: 'bob is awesome, go follow!', reply_to: ev.event_id }],
      module_responses: [
        { module_name: 'shoutout', success: true, response_action: 'chat' },
        { module_name: 'shoutout', success: true, response_action: 'general' },
      ],
    });
    const [call] = h.fakes.module.calls('POST', '/shoutout');
    expect(call!.json).toMatchObject({
      command: 'so',
      prefix: '!',
      args: ['@bob'],
      args_text: '@bob',
      trigger_type: 'command',
      entity_id: 'twitch:1001',
      community_id: '1',
      user: { id: '5551', name: 'alice', uid: '95551' },
      user_context: { role: 'member', labels: [] },
      alias_depth: 0,
      message_id: ev.event_id,
    });
    expect(call!.json.session_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(call!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
    expect(call!.headers['x-waddlebot-type']).toBe('local-interaction');
    expect(call!.headers['x-waddlebot-execution-id']).toBe(res.body.execution_id);

    const overlay = await h.fakes.browser.waitFor((r) => r.path === '/browser/source/display');
    expect(overlay.json).toMatchObject({
      source_type: 'general',
      session_id: res.body.session_id,
      module_name: 'shoutout',
    });
    expect(overlay.json.display_data).toMatchObject({ content: '<div>bob</div>', duration: 15 });

    const rep = await h.fakes.reputation.waitFor((r) => r.path === '/reputation/process');
    expect(rep.json).toMatchObject({
      event_name: 'message',
      user_id: '5551',
      uid: '95551',
      entity_id: 'twitch:1001',
    });

    const exec = await h.execution(res.body.execution_id);
    expect(exec.status).toBe('success');
    expect(exec.response_status).toBe(200);
    const rows = await h.db
      .selectFrom('module_responses')
      .selectAll()
      .where('execution_id', '=', res.body.execution_id)
      .execute();
    expect(rows.map((r) => r.response_action)).toEqual(['chat', 'general']);
    const perm = await eventually(
      () =>
        h.db
          .selectFrom('command_permissions')
          .innerJoin('entities', 'entities.id', 'command_permissions.entity_id')
          .select('usage_count')
          .where('command_id', '=', soId)
          .where('entities.entity_id', '=', 'twitch:1001')
          .executeTakeFirst(),
      (p) => p.usage_count >= 1,
    );
    expect(perm.usage_count).toBeGreaterThanOrEqual(1);
  });

  it('an alias row runs the same module', async () => {
    const res = await send(twitchChat('!SHOUTOUT carol', { user_id: '5552' }));
    expect(res.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/shoutout')[0]!.json.command).toBe('shoutout');
  });

  it('a replayed event id is a duplicate with no side effects', async () => {
    const ev = twitchChat('!so dup', { user_id: '5553' });
    expect((await send(ev)).body.outcome).toBe('executed');
    const again = await send(ev);
    expect(again.body).toMatchObject({ success: true, processed: false, outcome: 'duplicate' });
    expect(h.fakes.module.calls('POST', '/shoutout')).toHaveLength(1);
  });
});

describe('scenarios 6 and 7: plain chat and unknown commands', () => {
  it('plain chat is not_command and feeds reputation only', async () => {
    const res = await send(twitchChat('hello everyone'));
    expect(res.body).toMatchObject({ outcome: 'not_command', replies: [] });
    await h.fakes.reputation.waitFor((r) => r.json?.event_name === 'message');
    expect(h.fakes.module.requests).toHaveLength(0);
  });

  it('"! nice" is not a command', async () => {
    expect((await send(twitchChat('! nice'))).body.outcome).toBe('not_command');
  });

  it('unknown command: no module call, no chat reply, 404 recorded', async () => {
    const res = await send(twitchChat('!nope'));
    expect(res.body).toMatchObject({
      success: false,
      outcome: 'unknown_command',
      replies: [],
      error: { code: 'UNKNOWN_COMMAND' },
    });
    expect(h.fakes.module.requests).toHaveLength(0);
    const row = await eventually(() =>
      h.db
        .selectFrom('command_executions')
        .selectAll()
        .where('session_id', '=', res.body.session_id)
        .executeTakeFirst(),
    );
    expect(row.response_status).toBe(404);
  });

  it('slash commands get an ephemeral unknown-command text', async () => {
    const res = await send(twitchChat('!nope', { message_type: 'slashCommand' }));
    expect(res.body.replies).toEqual([{ type: 'chat', text: 'Unknown command !nope', ephemeral: true }]);
  });

  it('!help lists enabled ! commands', async () => {
    const res = await send(twitchChat('!help'));
    expect(res.body.outcome).toBe('executed');
    expect(res.body.replies[0].text).toContain('!so');
    expect(res.body.replies[0].text.length).toBeLessThanOrEqual(450);
  });
});

describe('scenario 8: rate limit', () => {
  it('third call in the window is rate limited, another user is not', async () => {
    const user = { user_id: '600', user_name: 'rl' };
    expect((await send(twitchChat('!so a', user))).body.outcome).toBe('executed');
    expect((await send(twitchChat('!so b', user))).body.outcome).toBe('executed');
    const third = await send(twitchChat('!so c', user));
    expect(third.body).toMatchObject({ outcome: 'rate_limited', success: false, replies: [] });
    expect(third.body.error.retry_after_seconds).toBeGreaterThan(0);
    expect(h.fakes.module.calls('POST', '/shoutout')).toHaveLength(2);
    const rows = await h.db.selectFrom('rate_limits').selectAll().where('user_id', '=', '9600').execute();
    expect(rows).toHaveLength(1);
    expect((await send(twitchChat('!so d', { user_id: '601', user_name: 'other' }))).body.outcome).toBe(
      'executed',
    );
  });

  it('admin reset clears the user windows', async () => {
    const user = { user_id: '602', user_name: 'rl2' };
    await send(twitchChat('!so a', user));
    await send(twitchChat('!so b', user));
    expect((await send(twitchChat('!so c', user))).body.outcome).toBe('rate_limited');
    const reset = await h.post('/router/admin/rate-limits/reset', { user_id: '9602' });
    expect(reset.status).toBe(200);
    expect((await send(twitchChat('!so d', user))).body.outcome).toBe('executed');
  });
});

describe('scenario 9: per-entity enablement', () => {
  it('disabled in one entity only, re-enabled works', async () => {
    const off = await h.put(`/router/admin/commands/${soId}/entities/twitch:2002`, { is_enabled: false });
    expect(off.status).toBe(200);
    const res = await send(twitchChat('!so bob', { server_id: '2002', user_id: '700' }));
    expect(res.body).toMatchObject({ outcome: 'disabled', replies: [], error: { code: 'COMMAND_DISABLED' } });
    expect(h.fakes.module.requests).toHaveLength(0);
    // Another entity is unaffected.
    expect((await send(twitchChat('!so bob', { user_id: '701' }))).body.outcome).toBe('executed');
    await h.put(`/router/admin/commands/${soId}/entities/twitch:2002`, { is_enabled: true });
    expect((await send(twitchChat('!so bob', { server_id: '2002', user_id: '702' }))).body.outcome).toBe(
      'executed',
    );
  });

  it('malformed entity id is 400', async () => {
    const res = await h.put(`/router/admin/commands/${soId}/entities/nope`, { is_enabled: false });
    expect(res.status).toBe(400);
  });
});

describe('scenario 10: permissions', () => {
  let timeoutId: number;
  beforeAll(async () => {
    h.fakes.module.on('POST', '/timeout', {
      status: 200,
      body: { success: true, response_action: 'chat', chat_message: 'timed out' },
    });
    timeoutId = await h.registerCommand({
      command: 'timeout',
      location_url: `${h.fakes.module.url}/timeout`,
      required_permission: 'users.timeout',
    });
  });

  it('plain user is refused with a chat reply; a moderator row admits them in that entity only', async () => {
    const ev = () => twitchChat('!timeout bob', { user_id: '800', user_name: 'alice' });
    const refused = await send(ev());
    expect(refused.body).toMatchObject({ outcome: 'forbidden', error: { code: 'PERMISSION_DENIED' } });
    expect(refused.body.replies[0].text).toBe("@alice you don't have permission to use !timeout");
    expect(h.fakes.module.calls('POST', '/timeout')).toHaveLength(0);

    const role = await h.put('/router/admin/roles', {
      user_id: '9800',
      role: 'moderator',
      entity_id: 'twitch:1001',
      assigned_by: 'test',
    });
    expect(role.status).toBe(200);
    const ok = await send(ev());
    expect(ok.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/timeout')[0]!.json.user_context.role).toBe('moderator');
    // The role was set for twitch:1001 only.
    expect((await send(twitchChat('!timeout bob', { server_id: '3003', user_id: '800' }))).body.outcome).toBe(
      'forbidden',
    );
    expect(timeoutId).toBeGreaterThan(0);
  });

  it('a moderator badge executes without any stored role', async () => {
    const res = await send(
      twitchChat('!timeout bob', { user_id: '801', metadata: { platform_role: 'moderator' } }),
    );
    expect(res.body.outcome).toBe('executed');
  });

  it('identity down: the user key is <platform>:<user_id> and uid is null', async () => {
    h.identityDown.add('802');
    await h.put('/router/admin/roles', {
      user_id: 'twitch:802',
      role: 'moderator',
      entity_id: 'twitch:1001',
    });
    const res = await send(twitchChat('!timeout bob', { user_id: '802' }));
    expect(res.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/timeout')[0]!.json.user.uid).toBeNull();
  });

  it('roles outside the ladder and missing scope are 400', async () => {
    expect(
      (await h.put('/router/admin/roles', { user_id: 'x', role: 'god', entity_id: 'twitch:1' })).status,
    ).toBe(400);
    expect((await h.put('/router/admin/roles', { user_id: 'x', role: 'vip' })).status).toBe(400);
  });

  it('community-scoped roles go to the community service; its failure is 502', async () => {
    h.fakes.community.on('PUT', '/communities/7/members/9555', {
      status: 200,
      body: { success: true, data: {} },
    });
    const ok = await h.put('/router/admin/roles', { user_id: '9555', role: 'vip', community_id: 7 });
    expect(ok.status).toBe(200);
    expect(h.fakes.community.calls('PUT', '/communities/7/members/9555')[0]!.json).toEqual({ role: 'vip' });
    h.fakes.community.on('PUT', '/communities/8/members/9555', { status: 500, body: {} });
    const bad = await h.put('/router/admin/roles', { user_id: '9555', role: 'vip', community_id: 8 });
    expect(bad.status).toBe(502);
    expect(bad.body.error.code).toBe('UPSTREAM_ERROR');
  });
});

describe('scenarios 11 and 12: module failures', () => {
  beforeAll(async () => {
    h.fakes.module.on('POST', '/broken', { status: 500, body: { error: 'boom' } });
    h.fakes.module.on('POST', '/slow', {
      status: 200,
      body: { success: true, chat_message: 'late' },
      delayMs: 1500,
    });
    h.fakes.module.on('POST', '/busy', { status: 503, body: {} });
    h.fakes.module.on('POST', '/usage', {
      status: 200,
      body: {
        success: false,
        response_action: 'chat',
        error_code: 'USAGE',
        chat_message: 'Usage: !so <username>',
        error_message: 'missing arg',
      },
    });
    await h.registerCommand({ command: 'broken', location_url: `${h.fakes.module.url}/broken` });
    await h.registerCommand({ command: 'slow', location_url: `${h.fakes.module.url}/slow`, timeout: 1 });
    await h.registerCommand({ command: 'busy', location_url: `${h.fakes.module.url}/busy` });
    await h.registerCommand({ command: 'usage', location_url: `${h.fakes.module.url}/usage` });
  });

  it('HTTP 500 → module_error, failed execution, apology text, no retry', async () => {
    const res = await send(twitchChat('!broken', { user_id: '900' }));
    expect(res.body).toMatchObject({
      outcome: 'module_error',
      success: false,
      error: { code: 'MODULE_ERROR' },
    });
    expect(res.body.replies[0].text).toBe('Sorry, !broken failed. Please try again later.');
    expect(h.fakes.module.calls('POST', '/broken')).toHaveLength(1);
    const exec = await h.execution(res.body.execution_id);
    expect(exec.status).toBe('failed');
    expect(exec.response_status).toBe(500);
  });

  it('timeout → status timeout and never retried', async () => {
    const res = await send(twitchChat('!slow', { user_id: '901' }));
    expect(res.body.outcome).toBe('module_error');
    const exec = await h.execution(res.body.execution_id);
    expect(exec.status).toBe('timeout');
    expect(exec.retry_count).toBe(0);
    expect(h.fakes.module.calls('POST', '/slow')).toHaveLength(1);
  });

  it('503 is retried (ROUTER_MAX_RETRIES=1 here)', async () => {
    const res = await send(twitchChat('!busy', { user_id: '902' }));
    expect(res.body.outcome).toBe('module_error');
    expect(h.fakes.module.calls('POST', '/busy')).toHaveLength(2);
    const exec = await h.execution(res.body.execution_id);
    expect(exec.retry_count).toBe(1);
  });

  it('success:false shows chat_message, never error_message', async () => {
    const res = await send(twitchChat('!usage', { user_id: '903' }));
    expect(res.body.replies.map((r: { text: string }) => r.text)).toEqual(['Usage: !so <username>']);
    expect(JSON.stringify(res.body)).not.toContain('missing arg');
  });
});

describe('scenario 13: async responses', () => {
  beforeAll(async () => {
    h.fakes.module.on('POST', '/later', { status: 202, body: { accepted: true } });
    await h.registerCommand({ command: 'later', location_url: `${h.fakes.module.url}/later` });
  });

  it('202 → pending; POST /router/responses delivers through the receiver /send', async () => {
    const ev = twitchChat('!later', { user_id: '950' });
    const res = await send(ev);
    expect(res.body).toMatchObject({ outcome: 'pending', replies: [] });
    const follow = await h.post('/router/responses', {
      execution_id: res.body.execution_id,
      session_id: res.body.session_id,
      module_name: 'shoutout',
      success: true,
      response_action: 'chat',
      chat_message: 'later!',
    });
    expect(follow.status).toBe(200);
    expect(follow.body).toMatchObject({ success: true });
    const sent = h.fakes.twitch.calls('POST', '/twitch/send');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.json).toEqual({
      entity_id: 'twitch:1001',
      reply_context: ev.reply_context,
      replies: [{ type: 'chat', text: 'later!' }],
    });
    expect(sent[0]!.headers['x-service-key']).toBe(TEST_SERVICE_KEY);
    const exec = await h.execution(res.body.execution_id);
    expect(exec.status).toBe('success');
    const listed = await h.get(`/router/responses/${res.body.execution_id}`);
    expect(listed.body.data).toMatchObject({
      total: 1,
      responses: [{ response_action: 'chat', chat_message: 'later!' }],
    });
  });

  it('slash command pending gets "Working on it…"', async () => {
    const res = await send(twitchChat('!later', { user_id: '951', message_type: 'slashCommand' }));
    expect(res.body.replies).toEqual([{ type: 'chat', text: 'Working on it…', ephemeral: true }]);
  });
});

describe('scenarios 16 and 17: string rules', () => {
  it('word warn rule matches whole words only and counts matches', async () => {
    const created = await h.post('/router/string-rules', {
      string: 'badword',
      match_type: 'word',
      action: 'warn',
      warning_message: 'Be nice',
      enabled_entity_ids: ['twitch:4004'],
    });
    expect(created.status).toBe(201);
    const id = created.body.data.rule_id;
    const res = await send(twitchChat('you are BADWORD', { server_id: '4004' }));
    expect(res.body).toMatchObject({ outcome: 'string_match', replies: [{ type: 'chat', text: 'Be nice' }] });
    const row = await h.db
      .selectFrom('stringmatch')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.match_count).toBe(1);
    expect((await send(twitchChat('badwords here', { server_id: '4004' }))).body.outcome).toBe('not_command');
    // Rules scoped to one entity never fire in another.
    expect((await send(twitchChat('you are badword', { server_id: '4005' }))).body.outcome).toBe(
      'not_command',
    );
  });

  it('block rule deletes the message and posts the block text', async () => {
    await h.post('/router/string-rules', {
      string: 'spamlink',
      match_type: 'contains',
      action: 'block',
      enabled_entity_ids: ['twitch:4006'],
    });
    const ev = twitchChat('buy at spamlink now', { server_id: '4006' });
    const res = await send(ev);
    expect(res.body.replies).toEqual([
      { type: 'delete', message_id: ev.event_id },
      { type: 'chat', text: 'Your message was removed for breaking the rules.' },
    ]);
  });

  it('command rule runs the module with trigger_type string_match', async () => {
    await h.post('/router/string-rules', {
      string: 'discord link',
      match_type: 'contains',
      action: 'command',
      command_to_execute: 'so',
      command_parameters: ['bob'],
      enabled_entity_ids: ['twitch:4007'],
    });
    const res = await send(twitchChat('where is the discord link', { server_id: '4007', user_id: '960' }));
    expect(res.body.outcome).toBe('string_match');
    expect(res.body.replies[0].text).toBe('bob is awesome, go follow!');
    expect(h.fakes.module.calls('POST', '/shoutout')[0]!.json).toMatchObject({
      trigger_type: 'string_match',
      args: ['bob'],
    });
  });

  it('webhook rule posts the documented payload without the service key and honours the answer', async () => {
    h.fakes.module.on('POST', '/hook', { status: 200, body: { success: true, chat_message: 'hooked' } });
    await h.post('/router/string-rules', {
      string: 'hookme',
      action: 'webhook',
      webhook_url: `${h.fakes.module.url}/hook`,
      enabled_entity_ids: ['twitch:4008'],
    });
    const res = await send(twitchChat('hookme', { server_id: '4008' }));
    expect(res.body.replies[0].text).toBe('hooked');
    const [hook] = h.fakes.module.calls('POST', '/hook');
    expect(hook!.headers['x-waddlebot-type']).toBe('string-match-webhook');
    expect(hook!.headers['x-service-key']).toBeUndefined();
    expect(hook!.json).toMatchObject({
      type: 'string_match',
      pattern: 'hookme',
      user: { id: '555' },
      context: { entity_id: 'twitch:4008' },
    });
  });

  it('validation: command needs a name, webhook a URL, regex must be safe', async () => {
    expect((await h.post('/router/string-rules', { string: 'x', action: 'command' })).status).toBe(400);
    expect(
      (await h.post('/router/string-rules', { string: 'x', action: 'webhook', webhook_url: 'ftp://x' }))
        .status,
    ).toBe(400);
    const unsafe = await h.post('/router/string-rules', {
      string: '(a+)+$',
      match_type: 'regex',
      action: 'warn',
    });
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.error.details[0].path).toBe('string');
  });

  it('update and soft delete clear the cache', async () => {
    const created = await h.post('/router/string-rules', {
      string: 'togglerule',
      action: 'warn',
      enabled_entity_ids: ['twitch:4009'],
    });
    const id = created.body.data.rule_id;
    expect((await send(twitchChat('togglerule', { server_id: '4009' }))).body.outcome).toBe('string_match');
    expect((await h.put(`/router/string-rules/${id}`, { warning_message: 'changed' })).status).toBe(200);
    expect((await send(twitchChat('togglerule', { server_id: '4009' }))).body.replies[0].text).toBe(
      'changed',
    );
    expect((await h.del(`/router/string-rules/${id}`)).status).toBe(200);
    expect((await send(twitchChat('togglerule', { server_id: '4009' }))).body.outcome).toBe('not_command');
    expect((await h.del('/router/string-rules/999999')).status).toBe(404);
  });
});

describe('scenario 18: event-triggered modules and reputation extras', () => {
  it('a follow runs the event module; a cheer carries bits to reputation', async () => {
    h.fakes.module.on('POST', '/onfollow', {
      status: 200,
      body: { success: true, chat_message: 'thanks for the follow!' },
    });
    const id = await h.registerCommand({
      command: 'followbot',
      location_url: `${h.fakes.module.url}/onfollow`,
      trigger_type: 'event',
      event_types: ['follow'],
      enabled_by_default: false,
    });
    await h.put(`/router/admin/commands/${id}/entities/twitch:1001`, { is_enabled: true });
    const res = await send(twitchEvent('follow', { user_id: '970' }));
    expect(res.body).toMatchObject({ outcome: 'event', event_modules_executed: 1 });
    expect(res.body.replies[0].text).toBe('thanks for the follow!');
    const [call] = h.fakes.module.calls('POST', '/onfollow');
    expect(call!.json).toMatchObject({ trigger_type: 'event', event_data: { message_type: 'follow' } });
    expect(call!.headers['x-waddlebot-type']).toBe('event');
    // Not enabled for another entity.
    const other = await send(twitchEvent('follow', { user_id: '971', server_id: '5005' }));
    expect(other.body.event_modules_executed).toBe(0);

    await send(
      twitchEvent('cheer', { user_id: '972', message_content: 'Cheer100 gg', metadata: { bits: 100 } }),
    );
    const rep = await h.fakes.reputation.waitFor((r) => r.json?.event_name === 'cheer');
    expect(rep.json.event_data).toMatchObject({ bits: 100, message_content: 'Cheer100 gg' });

    // Gift count and sub tier reach reputation, which weighs them.
    await send(twitchEvent('subgift', { user_id: '973', metadata: { count: 5, tier: '3000' } }));
    const gift = await h.fakes.reputation.waitFor((r) => r.json?.event_name === 'subgift');
    expect(gift.json.event_data).toMatchObject({ count: 5, tier: '3000' });
  });
});

describe('scenario 27: alias fallback and loop guard', () => {
  beforeAll(async () => {
    h.fakes.alias.on('POST', '/interaction', (req) =>
      req.json?.command === 'greet'
        ? { status: 200, body: { success: true, response_action: 'chat', chat_message: 'hi there' } }
        : { status: 200, body: { success: true, response_action: null, skipped: true, reason: 'not_found' } },
    );
    await h.registerCommand({
      command: 'alias-fallback',
      module_name: 'alias',
      location_url: `${h.fakes.alias.url}/interaction`,
      trigger_type: 'fallback',
      timeout: 40,
    });
  });

  it('unknown command goes to the fallback; skipped → unknown_command without chat', async () => {
    const res = await send(twitchChat('!hello world', { user_id: '980' }));
    expect(res.body).toMatchObject({ outcome: 'unknown_command', replies: [] });
    const [call] = h.fakes.alias.calls('POST', '/interaction');
    expect(call!.json).toMatchObject({ trigger_type: 'fallback', command: 'hello', args: ['world'] });
    expect(call!.headers['x-waddlebot-type']).toBe('fallback');
  });

  it('a text alias answers through the fallback', async () => {
    const res = await send(twitchChat('!greet', { user_id: '981' }));
    expect(res.body).toMatchObject({ outcome: 'executed', replies: [{ type: 'chat', text: 'hi there' }] });
  });

  it('alias_depth 1 executes without reputation; alias_depth 4 is LOOP_DETECTED', async () => {
    const res = await send(twitchChat('!so bob', { user_id: '982', alias_depth: 1 }));
    expect(res.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/shoutout')[0]!.json.alias_depth).toBe(1);
    // A later depth-0 event's hook arriving proves the earlier one had its chance to be sent.
    await send(twitchChat('hello', { user_id: '983' }));
    await h.fakes.reputation.waitFor((r) => r.json?.user_id === '983');
    expect(h.fakes.reputation.requests.filter((r) => r.json?.user_id === '982')).toHaveLength(0);
    const loop = await send(twitchChat('!so bob', { alias_depth: 4 }));
    expect(loop.status).toBe(400);
    expect(loop.body.error.code).toBe('LOOP_DETECTED');
  });
});

describe('module headers (contracts §9)', () => {
  it('the service key goes only to internal rows on a configured service origin', async () => {
    const outside = await startFakeServer();
    try {
      outside.on('POST', '/cmd', { status: 200, body: { success: true, chat_message: 'ok' } });
      await h.registerCommand({
        command: 'weather',
        prefix: '#',
        location: 'community',
        location_url: `${outside.url}/cmd`,
        headers: { Authorization: 'Bearer community-token', 'X-Service-Key': 'spoofed' },
      });
      await h.registerCommand({
        command: 'harvest',
        location: 'internal',
        location_url: `${outside.url}/cmd`,
      });
      // Marketplace `#` commands are off until enabled for the entity (§3.5).
      expect((await send(twitchChat('#weather Berlin', { user_id: '996' }))).body.outcome).toBe('disabled');
      const row = await h.db
        .selectFrom('commands')
        .select('id')
        .where('command', '=', 'weather')
        .executeTakeFirstOrThrow();
      await h.put(`/router/admin/commands/${row.id}/entities/twitch:1001`, { is_enabled: true });
      expect((await send(twitchChat('#weather Berlin', { user_id: '996' }))).body.outcome).toBe('executed');
      expect((await send(twitchChat('!harvest', { user_id: '997' }))).body.outcome).toBe('executed');
      const [community, harvest] = outside.calls('POST', '/cmd');
      expect(community!.headers['x-service-key']).toBeUndefined();
      expect(community!.headers.authorization).toBe('Bearer community-token');
      expect(community!.headers['x-waddlebot-type']).toBe('community');
      expect(community!.json).toMatchObject({ prefix: '#', command: 'weather', args: ['Berlin'] });
      expect(harvest!.headers['x-service-key']).toBeUndefined();
    } finally {
      await outside.close();
    }
  });
});

describe('interaction events', () => {
  it('custom_id module:action:context runs !module with [action, context]', async () => {
    const res = await send(
      twitchChat('', {
        message_type: 'interaction',
        user_id: '995',
        metadata: { custom_id: 'so:join:88', values: ['a'] },
      }),
    );
    expect(res.body.outcome).toBe('executed');
    const [call] = h.fakes.module.calls('POST', '/shoutout');
    expect(call!.json).toMatchObject({
      command: 'so',
      args: ['join', '88'],
      trigger_type: 'command',
      metadata: { values: ['a'] },
    });
    const unknown = await send(
      twitchChat('', { message_type: 'interaction', metadata: { custom_id: 'nothing:x:y' } }),
    );
    expect(unknown.body).toMatchObject({
      outcome: 'unknown_command',
      replies: [{ type: 'chat', ephemeral: true }],
    });
  });
});

describe('registry seeding endpoint', () => {
  it('POST /router/admin/commands is idempotent: 201 then 200 with the same id', async () => {
    const body = {
      command: 'seeded',
      module_name: 'shoutout',
      location_url: `${h.fakes.module.url}/shoutout`,
      aliases: ['sd'],
    };
    const first = await h.post('/router/admin/commands', body);
    const second = await h.post('/router/admin/commands', { ...body, description: 'v2' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.data.id).toBe(first.body.data.id);
    const rows = await h.db
      .selectFrom('commands')
      .select(['command', 'description'])
      .where('command', 'in', ['seeded', 'sd'])
      .execute();
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.description === 'v2')).toBe(true);
  });

  it('a community row overrides the global one only in its community (no groups → Global)', async () => {
    await h.post('/router/admin/commands', {
      command: 'so',
      community_id: 42,
      module_name: 'shoutout',
      location_url: `${h.fakes.module.url}/other`,
    });
    const res = await send(twitchChat('!so x', { user_id: '990' }));
    expect(res.body.outcome).toBe('executed');
    expect(h.fakes.module.calls('POST', '/other')).toHaveLength(0);
  });
});
