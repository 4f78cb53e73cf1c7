import { signJwt } from '@waddlebot/core';
import { TEST_SECRET_KEY, startFakeServer, type FakeServer } from '@waddlebot/core/testing';

/** Communities as the fake community service knows them: channels and stored roles. */
export const COMMUNITIES: Record<number, { entities: string[]; roles: Record<string, string> }> = {
  1: { entities: [], roles: {} },
  7: {
    entities: ['twitch:1001', 'discord:900:901'],
    roles: { 'u-owner7': 'owner', 'u-admin7': 'admin', 'u-mod7': 'moderator', 'u-member7': 'member' },
  },
  9: { entities: ['slack:T9:C9'], roles: { 'u-admin9': 'admin', 'u-member9': 'member' } },
  12: { entities: [], roles: { 'u-admin12': 'admin' } },
};

/** A recording community service answering the two reads marketplace makes. */
export async function startFakeCommunity(): Promise<FakeServer> {
  const server = await startFakeServer();
  server.on('GET', /^\/communities\/\d+$/, (req) => {
    const id = Number(req.path.split('/')[2]);
    const c = COMMUNITIES[id];
    if (!c) return { status: 404, body: { success: false, error: { code: 'NOT_FOUND', message: 'no' } } };
    return {
      body: {
        success: true,
        data: {
          id,
          name: `c${id}`,
          entity_groups: c.entities.map((e, i) => ({ id: i + 1, entity_ids: [e] })),
        },
      },
    };
  });
  server.on('GET', /^\/users\/[^/]+\/communities\/\d+\/role$/, (req) => {
    const [, , user, , id] = req.path.split('/');
    const role = COMMUNITIES[Number(id)]?.roles[decodeURIComponent(user!)] ?? null;
    return { body: { success: true, data: { role } } };
  });
  return server;
}

/** A recording router: upserts give each (prefix, command) a stable id; core rows are listed. */
export async function startFakeRouter(): Promise<FakeServer & { ids: Map<string, number> }> {
  const server = await startFakeServer();
  const ids = new Map<string, number>();
  server.on('POST', '/router/admin/commands', (req) => {
    const key = `${req.json.prefix}${req.json.command}`;
    const created = !ids.has(key);
    if (created) ids.set(key, 100 + ids.size);
    return { status: created ? 201 : 200, body: { success: true, data: { id: ids.get(key) } } };
  });
  server.on('GET', '/router/admin/commands', {
    body: {
      success: true,
      data: [
        { id: 501, command: 'inventory', module_name: 'inventory', is_active: true },
        { id: 502, command: 'inv', module_name: 'inventory', is_active: true },
        { id: 503, command: 'old', module_name: 'inventory', is_active: false },
        { id: 504, command: 'so', module_name: 'shoutout', is_active: true },
      ],
    },
  });
  server.on('PUT', /^\/router\/admin\/commands\/\d+\/entities\/.+$/, (req) => ({
    body: { success: true, data: { is_enabled: req.json?.is_enabled } },
  }));
  return Object.assign(server, { ids });
}

export function jwtHeaders(sub: string, roles: string[], now: Date) {
  return {
    Authorization: `Bearer ${signJwt({ sub, username: `user-${sub}`, roles }, TEST_SECRET_KEY, { now })}`,
    'Content-Type': 'application/json',
  };
}
