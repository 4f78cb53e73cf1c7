import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, twitchChat, type Harness } from './harness.js';

/** §3.15 admin API and §3.2 read-outs with values other than the spec's examples. */
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ROUTER_REQUEST_TIMEOUT: '7' });
});
afterAll(async () => h.close());
beforeEach(() => {
  for (const f of Object.values(h.fakes)) f.requests.length = 0;
});

async function commandRow(id: number) {
  return h.db.selectFrom('commands').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('registry rows (POST/PUT/DELETE /router/admin/commands)', () => {
  it('a row without a timeout gets ROUTER_REQUEST_TIMEOUT, the default module timeout', async () => {
    const id = await h.registerCommand({ command: 'quote' });
    expect((await commandRow(id)).timeout).toBe(7);
    const explicit = await h.registerCommand({ command: 'quote2', timeout: 12 });
    expect((await commandRow(explicit)).timeout).toBe(12);
  });

  it('a row without required_permission gets the one its name implies (§3.6)', async () => {
    const ban = await h.registerCommand({ command: 'Ban' });
    const kick = await h.registerCommand({ command: 'kick' });
    const settings = await h.registerCommand({ command: 'settings' });
    const lurk = await h.registerCommand({ command: 'lurk' });
    const custom = await h.registerCommand({ command: 'warn', required_permission: 'commands.basic' });
    expect((await commandRow(ban)).required_permission).toBe('users.ban');
    expect((await commandRow(kick)).required_permission).toBe('users.kick');
    expect((await commandRow(settings)).required_permission).toBe('commands.admin');
    expect((await commandRow(lurk)).required_permission).toBe('commands.basic');
    expect((await commandRow(custom)).required_permission).toBe('commands.basic');

    const refused = await h.post('/router/events', twitchChat('!ban troll', { user_id: '6101' }));
    expect(refused.body.outcome).toBe('forbidden');
    expect(refused.body.replies[0].text).toBe("@alice you don't have permission to use !ban");
    expect(h.fakes.module.calls('POST', '/shoutout')).toHaveLength(0);
    const asAdmin = await h.post(
      '/router/events',
      twitchChat('!ban troll', { user_id: '6102', metadata: { platform_role: 'admin' } }),
    );
    expect(asAdmin.body.outcome).toBe('executed');
  });

  it('PUT changes only the fields it names', async () => {
    const id = await h.registerCommand({
      command: 'raffle',
      prefix: '#',
      location: 'community',
      type: 'webhook',
      method: 'GET',
      timeout: 9,
      rate_limit: 4,
      required_permission: 'commands.moderate',
      enabled_by_default: true,
      trigger_type: 'both',
      event_types: ['raid'],
      priority: 5,
      execution_mode: 'parallel',
      category: 'games',
      version: '2.1.0',
      headers: { 'X-Community-Token': 'tok-raffle' },
    });
    const before = await commandRow(id);
    const res = await h.put(`/router/admin/commands/${id}`, { description: 'Draws a winner' });
    expect(res.status).toBe(200);
    const after = await commandRow(id);
    expect({ ...after, updated_at: null }).toEqual({
      ...before,
      description: 'Draws a winner',
      updated_at: null,
    });
  });

  it('PUT keeps a deleted row deleted unless it says is_active', async () => {
    const id = await h.registerCommand({ command: 'retired' });
    expect((await h.del(`/router/admin/commands/${id}`)).status).toBe(200);
    expect((await h.put(`/router/admin/commands/${id}`, { usage: '!retired' })).status).toBe(200);
    expect((await commandRow(id)).is_active).toBe(false);
    expect((await h.post('/router/events', twitchChat('!retired'))).body.outcome).toBe('unknown_command');
    expect((await h.put(`/router/admin/commands/${id}`, { is_active: true })).status).toBe(200);
    expect((await commandRow(id)).is_active).toBe(true);
  });

  it('PUT onto another row’s prefix and name is 409 and changes nothing', async () => {
    const a = await h.registerCommand({ command: 'alpha' });
    const b = await h.registerCommand({ command: 'beta' });
    const res = await h.put(`/router/admin/commands/${b}`, { command: 'alpha', description: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect((await commandRow(b)).command).toBe('beta');
    expect((await commandRow(b)).description).toBe('');
    expect((await commandRow(a)).command).toBe('alpha');
  });

  it('the admin listing names row headers but never shows their values', async () => {
    await h.registerCommand({
      command: 'secretive',
      prefix: '#',
      location: 'community',
      headers: { Authorization: 'Bearer community-secret-123' },
    });
    const list = await h.get('/router/admin/commands');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).not.toContain('community-secret-123');
    const row = list.body.data.find((r: { command: string }) => r.command === 'secretive');
    expect(Object.keys(row.headers)).toEqual(['Authorization']);
  });
});

describe('GET /router/commands', () => {
  beforeAll(async () => {
    await h.playCommunity({ groups: [{ entity_id: 'discord:G77:C5', community_id: 12 }] });
  });

  it('a malformed entity_id is 400', async () => {
    const res = await h.get('/router/commands?entity_id=twitch');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('entity_id');
    expect((await h.get('/router/commands?platform=kick')).status).toBe(400);
  });

  it("an entity's community rows replace the global rows of the same name", async () => {
    await h.registerCommand({ command: 'dice', description: 'global dice' });
    await h.registerCommand({ command: 'dice', description: 'community dice', community_id: 12 });
    const global = await h.get('/router/commands?prefix=!');
    const dice = global.body.data.commands.filter((c: { command: string }) => c.command === '!dice');
    expect(dice.map((c: { description: string }) => c.description)).toEqual(['global dice']);
    for (const query of ['entity_id=discord:G77:C5', 'community_id=12']) {
      const scoped = await h.get(`/router/commands?prefix=!&${query}`);
      const rows = scoped.body.data.commands.filter((c: { command: string }) => c.command === '!dice');
      expect(rows.map((c: { description: string }) => c.description)).toEqual(['community dice']);
      expect(scoped.body.data.total).toBe(scoped.body.data.commands.length);
    }
  });
});

describe('read-outs reject bad parameters', () => {
  it('recent responses: an unknown response_action is 400', async () => {
    const res = await h.get('/router/responses/recent?response_action=banner');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('response_action');
    expect((await h.get('/router/responses/recent?response_action=ticker')).status).toBe(200);
  });

  it('responses of an execution the router never created are 404', async () => {
    const res = await h.get('/router/responses/0b9f2c44-1d1e-4c55-9a0b-7a1e2f3c4d5e');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('string rules: malformed entity ids are 400 and store nothing', async () => {
    const before = await h.db.selectFrom('stringmatch').select('id').execute();
    const res = await h.post('/router/string-rules', {
      string: 'spam',
      action: 'warn',
      enabled_entity_ids: ['twitch:1001', 'not-an-entity'],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('enabled_entity_ids.1');
    expect(await h.db.selectFrom('stringmatch').select('id').execute()).toEqual(before);
    expect((await h.get('/router/string-rules?entity_id=slack')).status).toBe(400);
  });
});

describe('labels in the ModuleRequest', () => {
  it('label names come from the labels service answer (label_name)', async () => {
    h.fakes.labels.on('GET', '/entity/user/96201/labels', {
      status: 200,
      body: {
        success: true,
        data: {
          entity_id: '96201',
          entity_type: 'user',
          labels: [
            { id: 1, label_id: 4, label_name: 'vip-crew', label_color: '#ff0000' },
            { id: 2, label_id: 9, label_name: 'memories', label_color: '#00ff00' },
          ],
          total: 2,
          limit: 5,
        },
      },
    });
    await h.registerCommand({ command: 'so' });
    const res = await h.post('/router/events', twitchChat('!so zed', { user_id: '6201' }));
    expect(res.body.outcome).toBe('executed');
    const [req] = h.fakes.labels.calls('GET', '/entity/user/96201/labels');
    expect(req!.query.get('community_id')).toBe('1');
    expect(h.fakes.module.calls('POST', '/shoutout')[0]!.json.user_context.labels).toEqual([
      'vip-crew',
      'memories',
    ]);
  });
});

describe('coordination populate', () => {
  it('copies each monitored channel, or the server when it has none', async () => {
    h.fakes.discord.on('GET', '/discord/api/channels', {
      status: 200,
      body: {
        success: true,
        data: [
          {
            server_id: 'G40',
            name: 'Guild 40',
            is_active: true,
            channels: [
              { channel_id: 'C41', channel_name: 'general' },
              { channel_id: 'C42', channel_name: 'clips' },
            ],
          },
          { server_id: 'G50', name: 'Guild 50', is_active: true, channels: [] },
        ],
      },
    });
    const res = await h.post('/router/coordination/populate', { platform: 'discord' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ platform: 'discord', added: 3 });
    const rows = await h.db
      .selectFrom('coordination')
      .select(['entity_id', 'server_id', 'channel_id', 'status'])
      .where('platform', '=', 'discord')
      .orderBy('entity_id')
      .execute();
    expect(rows).toEqual([
      { entity_id: 'discord:G40:C41', server_id: 'G40', channel_id: 'C41', status: 'available' },
      { entity_id: 'discord:G40:C42', server_id: 'G40', channel_id: 'C42', status: 'available' },
      { entity_id: 'discord:G50', server_id: 'G50', channel_id: '', status: 'available' },
    ]);
    expect((await h.post('/router/coordination/populate', { platform: 'discord' })).body.data.added).toBe(0);
  });

  it('a receiver that refuses the list is 502 and adds nothing', async () => {
    h.fakes.twitch.on('GET', '/twitch/api/channels', { status: 500, body: {} });
    const res = await h.post('/router/coordination/populate', { platform: 'twitch' });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('UPSTREAM_ERROR');
  });
});

describe('coordination release-offline', () => {
  it('swaps offline entities for other ones instead of taking them straight back', async () => {
    await h.db
      .insertInto('coordination')
      .values(
        // The spare ranks last, so only the exclusion keeps the released entity from winning.
        (['S1', 'S2', 'S3'] as const).map((server) => ({
          platform: 'slack',
          server_id: server,
          channel_id: 'K1',
          entity_id: `slack:${server}:K1`,
          priority: server === 'S3' ? 200 : 100,
        })),
      )
      .execute();
    const first = await h.post('/router/coordination/claim', {
      platform: 'slack',
      container_id: 'shard-7',
      max_claims: 2,
    });
    expect(first.body.data.claimed_count).toBe(2);
    const [offline, stays] = first.body.data.claimed_entities as string[];
    expect([offline, stays].sort()).toEqual(['slack:S1:K1', 'slack:S2:K1']);
    const status = await h.post('/router/coordination/status', {
      container_id: 'shard-7',
      entity_id: offline,
      is_live: false,
    });
    expect(status.status).toBe(200);
    const swap = await h.post('/router/coordination/release-offline', { container_id: 'shard-7' });
    expect(swap.status).toBe(200);
    expect(swap.body.data.released).toEqual([offline]);
    expect(swap.body.data.claimed).toHaveLength(1);
    expect(swap.body.data.claimed).toEqual(['slack:S3:K1']);
    const mine = await h.db
      .selectFrom('coordination')
      .select('entity_id')
      .where('claimed_by', '=', 'shard-7')
      .orderBy('entity_id')
      .execute();
    expect(mine.map((r) => r.entity_id).sort()).toEqual([stays, swap.body.data.claimed[0]].sort());
  });
});

describe('PUT /router/admin/roles with a community', () => {
  it('takes the community id as a number or a decimal string', async () => {
    h.fakes.community.on('PUT', '/communities/15/members/9333', {
      status: 200,
      body: { success: true, data: {} },
    });
    const res = await h.put('/router/admin/roles', {
      user_id: '9333',
      role: 'moderator',
      community_id: '15',
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ user_id: '9333', role: 'moderator', community_id: 15 });
    expect(h.fakes.community.calls('PUT', '/communities/15/members/9333')[0]!.json).toEqual({
      role: 'moderator',
    });
    const bad = await h.put('/router/admin/roles', {
      user_id: '9333',
      role: 'moderator',
      community_id: '1x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('community_id');
    expect(h.fakes.community.calls('PUT', /\/communities\//)).toHaveLength(1);
  });
});

describe('values beyond the column sizes are 400, never 500', () => {
  const INT4_OVER = 2 ** 31;

  it('registry rows, string rules, query ids and coordination', async () => {
    const row = { command: 'sized', module_name: 'm', location_url: 'http://127.0.0.1:9/x' };
    const cases: [string, Promise<{ status: number; body: any }>, string][] = [
      [
        'module_name',
        h.post('/router/admin/commands', { ...row, module_name: 'm'.repeat(129) }),
        'module_name',
      ],
      [
        'module_type',
        h.post('/router/admin/commands', { ...row, module_type: 't'.repeat(17) }),
        'module_type',
      ],
      ['version', h.post('/router/admin/commands', { ...row, version: '1'.repeat(33) }), 'version'],
      ['rate_limit', h.post('/router/admin/commands', { ...row, rate_limit: INT4_OVER }), 'rate_limit'],
      ['priority', h.post('/router/admin/commands', { ...row, priority: INT4_OVER }), 'priority'],
      ['community_id', h.post('/router/admin/commands', { ...row, community_id: INT4_OVER }), 'community_id'],
      [
        'rule priority',
        h.post('/router/string-rules', { string: 's', action: 'warn', priority: -INT4_OVER }),
        'priority',
      ],
      ['commands query', h.get(`/router/commands?community_id=${INT4_OVER}`), 'community_id'],
      ['usage query', h.get(`/router/admin/api-usage?account_id=${INT4_OVER}`), 'account_id'],
      [
        'viewer_count',
        h.post('/router/coordination/status', {
          container_id: 'c',
          entity_id: 'twitch:1',
          viewer_count: INT4_OVER,
        }),
        'viewer_count',
      ],
      [
        'async module_name',
        h.post('/router/responses', {
          execution_id: '0b9f2c44-1d1e-4c55-9a0b-7a1e2f3c4d5e',
          session_id: '0b9f2c44-1d1e-4c55-9a0b-7a1e2f3c4d5f',
          module_name: 'x'.repeat(129),
          success: true,
          response_action: null,
        }),
        'module_name',
      ],
    ];
    for (const [label, pending, path] of cases) {
      const res = await pending;
      expect({ label, status: res.status, code: res.body.error?.code }).toEqual({
        label,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    expect(await h.db.selectFrom('commands').select('id').where('command', '=', 'sized').execute()).toEqual(
      [],
    );
  });

  it('a rate-limited user with a 256-character id is recorded under the full user key', async () => {
    await h.registerCommand({ command: 'longname', rate_limit: 1 });
    const userId = '8'.repeat(256);
    h.identityDown.add(userId);
    const first = await h.post('/router/events', twitchChat('!longname', { user_id: userId }));
    expect(first.body.outcome).toBe('executed');
    const second = await h.post('/router/events', twitchChat('!longname', { user_id: userId }));
    expect(second.status).toBe(200);
    expect(second.body.outcome).toBe('rate_limited');
    const audit = await h.db.selectFrom('rate_limits').select('user_id').execute();
    expect(audit.map((r) => r.user_id)).toContain(`twitch:${userId}`);
    const reset = await h.post('/router/admin/rate-limits/reset', { user_id: `twitch:${userId}` });
    expect(reset.status).toBe(200);
    expect((await h.post('/router/events', twitchChat('!longname', { user_id: userId }))).body.outcome).toBe(
      'executed',
    );
  });

  it('a module answer with oversized values is stored cut to size and still answered', async () => {
    h.fakes.module.on('POST', '/oversized', {
      status: 200,
      body: {
        success: true,
        module_name: 'n'.repeat(300),
        response_action: 'chat',
        chat_message: 'still here',
        processing_time_ms: 1e12,
        additional_responses: [{ response_action: 'general', content: 'x', duration: 1e15 }],
      },
    });
    await h.registerCommand({ command: 'oversized', location_url: `${h.fakes.module.url}/oversized` });
    const res = await h.post('/router/events', twitchChat('!oversized'));
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('executed');
    expect(res.body.replies[0].text).toBe('still here');
    const rows = await h.db
      .selectFrom('module_responses')
      .select(['module_name', 'duration', 'processing_time_ms'])
      .where('execution_id', '=', res.body.execution_id)
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { module_name: 'n'.repeat(128), duration: null, processing_time_ms: 2147483647 },
      { module_name: 'n'.repeat(128), duration: 2147483647, processing_time_ms: null },
    ]);
  });

  it('user-merged refuses an into_uid that is not a uid and moves nothing', async () => {
    for (const into of ['twitch:555', 'u'.repeat(257), 'a\u0000b']) {
      const res = await h.post('/internal/user-merged', { from_uid: '61', into_uid: into });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
  });
});

describe('records a command leaves behind exist when its result is out', () => {
  it('usage counters and refusal rows are written before the answer', async () => {
    const id = await h.registerCommand({ command: 'tally' });
    const ran = await h.post('/router/events', twitchChat('!tally', { server_id: '6301' }));
    expect(ran.body.outcome).toBe('executed');
    const usage = await h.db
      .selectFrom('command_permissions')
      .innerJoin('entities', 'entities.id', 'command_permissions.entity_id')
      .select(['usage_count', 'last_used'])
      .where('command_id', '=', id)
      .where('entities.entity_id', '=', 'twitch:6301')
      .executeTakeFirstOrThrow();
    expect(usage.usage_count).toBe(1);
    expect(usage.last_used).not.toBeNull();

    const unknown = await h.post('/router/events', twitchChat('!nosuchthing', { server_id: '6301' }));
    expect(unknown.body.outcome).toBe('unknown_command');
    const refused = await h.db
      .selectFrom('command_executions')
      .select(['response_status', 'status'])
      .where('session_id', '=', unknown.body.session_id)
      .executeTakeFirstOrThrow();
    expect(refused).toEqual({ response_status: 404, status: 'failed' });
  });
});

describe('outbound to channels the router has not seen yet', () => {
  const chat = (entityId: string, key: string) => ({
    platform: 'discord',
    entity_id: entityId,
    type: 'chat',
    text: 'weekly recap is up',
    module_name: 'memories',
    idempotency_key: key,
  });

  beforeAll(() => {
    // G81 monitors only C2; G82 has no channel rows, so every channel of it is monitored.
    h.fakes.discord.on('GET', '/discord/api/channels', {
      status: 200,
      body: {
        success: true,
        data: [
          { server_id: 'G81', is_active: true, channels: [{ channel_id: 'C2', channel_name: 'news' }] },
          { server_id: 'G82', is_active: true, channels: [] },
        ],
      },
    });
  });

  it('a channel its receiver monitors is delivered and becomes a router entity', async () => {
    for (const [entityId, key] of [
      ['discord:G81:C2', 'memories:recap:1'],
      ['discord:G82:C9', 'memories:recap:2'],
    ] as const) {
      const res = await h.post('/router/messages/outbound', chat(entityId, key));
      expect(res.status).toBe(200);
      expect(res.body.duplicate).toBe(false);
      const entity = await h.db
        .selectFrom('entities')
        .select(['owner', 'is_active'])
        .where('entity_id', '=', entityId)
        .executeTakeFirstOrThrow();
      expect(entity).toEqual({ owner: 'system', is_active: true });
    }
    expect(h.fakes.discord.calls('POST', '/discord/send').map((r) => r.json.entity_id)).toEqual([
      'discord:G81:C2',
      'discord:G82:C9',
    ]);
  });

  it('a channel outside the monitored list, or an inactive entity, is 404', async () => {
    const res = await h.post('/router/messages/outbound', chat('discord:G81:C3', 'memories:recap:3'));
    expect(res.status).toBe(404);
    await h.db
      .updateTable('entities')
      .set({ is_active: false })
      .where('entity_id', '=', 'discord:G82:C9')
      .execute();
    const inactive = await h.post('/router/messages/outbound', chat('discord:G82:C9', 'memories:recap:4'));
    expect(inactive.status).toBe(404);
    expect(h.fakes.discord.calls('POST', '/discord/send')).toHaveLength(0);
    expect(
      await h.db.selectFrom('entities').select('id').where('entity_id', '=', 'discord:G81:C3').execute(),
    ).toEqual([]);
  });
});

describe('text the database cannot store is 400, never 500', () => {
  it('NUL in a path parameter or query parameter', async () => {
    for (const path of [
      '/router/admin/users/a%00b/permissions',
      '/router/responses/recent?module_name=a%00b',
      '/router/coordination/entities?claimed_by=shard%00',
    ]) {
      const res = await h.get(path);
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_ERROR',
      });
    }
  });

  it('an unpaired surrogate in an event or a merge notification, and nothing is stored', async () => {
    await h.registerCommand({ command: 'echo' });
    const executions = await h.db.selectFrom('command_executions').select('id').execute();
    const res = await h.post('/router/events', twitchChat('!echo \ud83d'));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'message_content', message: 'must be well-formed Unicode text' },
    ]);
    expect(await h.db.selectFrom('command_executions').select('id').execute()).toEqual(executions);
    // A well-formed pair (an emoji) is fine.
    expect((await h.post('/router/events', twitchChat('!echo \ud83d\ude00'))).body.outcome).toBe('executed');
    const merge = await h.post('/internal/user-merged', { from_uid: '\udc00', into_uid: '62' });
    expect(merge.status).toBe(400);
  });
});

describe('a module answer with text the database refuses', () => {
  it('is stored cleaned and answered once, not turned into a 500 and a second call', async () => {
    h.fakes.module.on('POST', '/dirty', {
      status: 200,
      body: JSON.parse(
        '{"success":true,"response_action":"chat","chat_message":"clean\\u0000ed \\ud800up","response_data":{"k\\u0000":"v"}}',
      ),
    });
    await h.registerCommand({ command: 'dirty', location_url: `${h.fakes.module.url}/dirty` });
    const res = await h.post('/router/events', twitchChat('!dirty'));
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe('executed');
    expect(res.body.replies[0].text).toBe('cleaned \ufffdup');
    expect(h.fakes.module.calls('POST', '/dirty')).toHaveLength(1);
    const row = await h.db
      .selectFrom('module_responses')
      .select('chat_message')
      .where('execution_id', '=', res.body.execution_id)
      .executeTakeFirstOrThrow();
    expect(row.chat_message).toBe('cleaned \ufffdup');
  });
});
