import { expect, it } from 'vitest';
import type { ServiceDefinition } from '../../src/service/define.js';
import { call, serviceHeaders, type FakeServer, type TestRuntime } from '../../src/testing/index.js';

/**
 * Tests every receiver runs against its own app: the parts of contracts §5, §6, §11, §17.4 and
 * §17.5 that are the same on Twitch, Discord and Slack. Each receiver's test file calls these inside its own
 * `describe`, after its harness has started the service.
 */

type RequestableApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };
type AppOf = () => RequestableApp;

const WRONG_KEY = serviceHeaders({ 'X-Service-Key': 'nope-nope-nope-nope-nope-nope-nope' });

/** Contracts §6: no key → 401 AUTH_REQUIRED, a wrong key → 401 INVALID_API_KEY, on every listed route. */
export function itRefusesMissingAndWrongServiceKeys(app: AppOf, routes: [method: string, path: string][]) {
  for (const [method, path] of routes) {
    it(`${method} ${path} refuses a missing and a wrong service key`, async () => {
      const body = method === 'GET' ? undefined : {};
      const none = await call(app(), method, path, body, { 'Content-Type': 'application/json' });
      expect([none.status, none.body.error.code]).toEqual([401, 'AUTH_REQUIRED']);
      expect(none.body.error.request_id).toEqual(expect.any(String));
      const wrong = await call(app(), method, path, body, WRONG_KEY);
      expect([wrong.status, wrong.body.error.code]).toEqual([401, 'INVALID_API_KEY']);
    });
  }
}

interface ServerView {
  server_id: string;
  channels: { channel_id: string; channel_name: string | null }[];
}

/**
 * Contracts §17.5 on a receiver with servers and channels (Discord guilds, Slack teams). The ids
 * must be unused by the rest of the file: the test adds, lists and removes them.
 */
export function itServesServerChannelApi(
  app: AppOf,
  opts: {
    platform: 'discord' | 'slack';
    serverKey: string;
    nameKey: string;
    ids: { server: string; channel: string; otherChannel: string };
  },
) {
  const path = `/${opts.platform}/api/channels`;
  const { server, channel, otherChannel } = opts.ids;
  const listed = async () =>
    ((await call(app(), 'GET', path)).body.data as ServerView[]).find((s) => s.server_id === server);

  it('adds a server with a channel (201), again (200), a second channel (201); lists names; removes channel, then server', async () => {
    const first = await call(app(), 'POST', path, {
      [opts.serverKey]: server,
      channel_id: channel,
      [opts.nameKey]: 'Server Name',
      channel_name: 'general',
    });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      success: true,
      data: {
        server_id: server,
        name: 'Server Name',
        is_active: true,
        channels: [{ channel_id: channel, channel_name: 'general' }],
      },
    });
    expect((await call(app(), 'POST', path, { [opts.serverKey]: server, channel_id: channel })).status).toBe(
      200,
    );
    expect(
      (await call(app(), 'POST', path, { [opts.serverKey]: server, channel_id: otherChannel })).status,
    ).toBe(201);
    expect(await listed()).toEqual({
      server_id: server,
      name: 'Server Name',
      is_active: true,
      channels: [
        { channel_id: channel, channel_name: 'general' },
        { channel_id: otherChannel, channel_name: null },
      ],
    });
    expect((await call(app(), 'DELETE', `${path}/${channel}`)).body).toEqual({
      success: true,
      data: { id: channel, removed: true },
    });
    expect((await listed())?.channels).toEqual([{ channel_id: otherChannel, channel_name: null }]);
    expect((await call(app(), 'DELETE', `${path}/${otherChannel}`)).status).toBe(200);
    expect((await call(app(), 'DELETE', `${path}/${server}`)).status).toBe(200);
    expect(await listed()).toBeUndefined();
    const gone = await call(app(), 'DELETE', `${path}/${server}`);
    expect([gone.status, gone.body.error.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('re-adding a removed server answers 201 (it became monitored again), then 200', async () => {
    const body = { [opts.serverKey]: server, channel_id: channel };
    expect((await call(app(), 'POST', path, body)).status).toBe(201);
    expect((await call(app(), 'DELETE', `${path}/${server}`)).status).toBe(200);
    expect((await call(app(), 'POST', path, body)).status).toBe(201);
    expect((await call(app(), 'POST', path, body)).status).toBe(200);
    expect((await call(app(), 'DELETE', `${path}/${server}`)).status).toBe(200);
  });

  it('refuses bodies without a contracts §3 segment id with 400 VALIDATION_ERROR, storing nothing', async () => {
    for (const body of [
      {},
      { channel_id: channel },
      { [opts.serverKey]: `${server}:x` },
      { [opts.serverKey]: 42 },
      { [opts.serverKey]: server, channel_id: 'has space' },
      { [opts.serverKey]: server, [opts.nameKey]: 'x'.repeat(101) },
    ]) {
      const res = await call(app(), 'POST', path, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
      expect(res.body.error.details.length).toBeGreaterThan(0);
    }
    const malformed = await call(app(), 'POST', path, '{"nope"');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(await listed()).toBeUndefined();
    const badId = await call(app(), 'DELETE', `${path}/a%3Ab`);
    expect([badId.status, badId.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
  });
}

/**
 * Contracts §11 and §5 on `POST /<platform>/send`: every invalid body is a 400 VALIDATION_ERROR
 * envelope and reaches no platform API; a platform failure is a 502 UPSTREAM_ERROR.
 */
export function itRefusesInvalidSends(
  app: AppOf,
  opts: {
    platform: 'twitch' | 'discord' | 'slack';
    /** A channel-level entity of this platform. */
    entity: string;
    /** A server-wide entity, where chat needs a channel (Discord, Slack). */
    serverWideEntity?: string;
    platformApi: () => FakeServer;
    /** Makes the platform fail the chat delivery to `entity`. */
    failChat: (platformApi: FakeServer) => void;
  },
) {
  const path = `/${opts.platform}/send`;
  const foreign = opts.platform === 'twitch' ? 'slack:T1:C1' : 'twitch:1001';
  const chat = { type: 'chat', text: 'hello' };

  it('refuses invalid bodies with 400 VALIDATION_ERROR and calls no platform API', async () => {
    const invalid: [body: unknown, path: string | undefined][] = [
      [{ entity_id: foreign, replies: [chat] }, 'entity_id'],
      [{ entity_id: `${opts.platform}:`, replies: [chat] }, 'entity_id'],
      [{ entity_id: `${opts.entity}:x:y`, replies: [chat] }, 'entity_id'],
      [{ replies: [chat] }, 'entity_id'],
      [{ entity_id: opts.entity }, 'replies'],
      [{ entity_id: opts.entity, replies: [] }, 'replies'],
      [{ entity_id: opts.entity, replies: [{ type: 'banner', text: 'x' }] }, 'replies.0.type'],
      [{ entity_id: opts.entity, replies: [{ type: 'chat', text: '' }] }, 'replies.0.text'],
      [{ replies: [{ type: 'dm', text: 'x' }] }, 'replies.0.user_id'],
      [{ entity_id: opts.entity, replies: [{ type: 'delete' }] }, 'replies.0.message_id'],
      ['{"entity_id":', undefined],
      ...(opts.serverWideEntity
        ? [[{ entity_id: opts.serverWideEntity, replies: [chat] }, 'entity_id'] as [unknown, string]]
        : []),
    ];
    for (const [body, detailPath] of invalid) {
      const res = await call(app(), 'POST', path, body);
      expect([res.status, res.body.error.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_ERROR']);
      expect(res.body.error.request_id).toEqual(expect.any(String));
      if (detailPath)
        expect(
          res.body.error.details.map((d: { path: string }) => d.path),
          JSON.stringify(body),
        ).toContain(detailPath);
    }
    expect(opts.platformApi().requests).toEqual([]);
  });

  it('a platform failing the delivery → 502 UPSTREAM_ERROR', async () => {
    opts.failChat(opts.platformApi());
    const res = await call(app(), 'POST', path, { entity_id: opts.entity, replies: [chat] });
    expect([res.status, res.body.error.code]).toEqual([502, 'UPSTREAM_ERROR']);
    expect(res.body.error.message).not.toMatch(/token|secret/i);
  });
}

/**
 * Contracts §17.4: without its platform credentials a receiver starts, reports
 * `"platform":"not_configured"` (still 200) and answers its webhooks and `/send` with 503 naming
 * the variable; it processes nothing.
 */
export function itStartsWithoutPlatformCredentials(
  runtime: () => TestRuntime,
  service: ServiceDefinition<any, any>,
  opts: {
    platform: 'twitch' | 'discord' | 'slack';
    /** The credentials to blank. */
    unset: string[];
    webhooks: string[];
    /** The 503 message of the webhooks. */
    message: string;
    sendTo: string;
  },
) {
  it('starts, /readyz and /<platform>/health say platform not_configured (200), webhooks and /send answer 503', async () => {
    const bare = await runtime().add(service, Object.fromEntries(opts.unset.map((k) => [k, ''])));
    const eventRows = async () =>
      (await bare.deps.db.selectFrom(`${opts.platform}_events`).select('id').execute()).length;
    const before = await eventRows();
    for (const health of ['/readyz', `/${opts.platform}/health`]) {
      const ready = await call(bare.app, 'GET', health, undefined, {});
      expect([ready.status, ready.body.status, ready.body.checks.platform]).toEqual([
        200,
        'healthy',
        'not_configured',
      ]);
    }
    for (const webhook of opts.webhooks) {
      const res = await call(bare.app, 'POST', webhook, '{"type":1}', { 'Content-Type': 'application/json' });
      expect([res.status, res.body.error.code, res.body.error.message]).toEqual([
        503,
        'SERVICE_UNAVAILABLE',
        opts.message,
      ]);
    }
    const send = await call(bare.app, 'POST', `/${opts.platform}/send`, {
      entity_id: opts.sendTo,
      replies: [{ type: 'chat', text: 'hi' }],
    });
    expect([send.status, send.body.error.code]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(await eventRows()).toBe(before);
  });
}

/**
 * Router-and-receivers §0: no configured secret, platform token or interaction token reaches the
 * log. Runs last in its file, over everything the file's tests logged.
 */
export function itKeepsSecretsOutOfTheLog(runtime: () => TestRuntime, secrets: (string | RegExp)[]) {
  it('never writes a secret or token to the log', () => {
    const logged = runtime().logLines.join('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      if (typeof secret === 'string') expect(logged).not.toContain(secret);
      else expect(logged).not.toMatch(secret);
    }
  });
}

/** Contracts §15: `/openapi.json` (no credential) describes every route, the signed webhooks included. */
export function itPublishesOpenApi(app: AppOf, paths: string[]) {
  it('/openapi.json lists every route, the raw-body webhooks and /send included', async () => {
    const doc = await call(app(), 'GET', '/openapi.json', undefined, {});
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.body.paths).sort()).toEqual([...paths].sort());
  });
}
