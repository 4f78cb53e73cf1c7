import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { CommunityIdSchema } from '../../src/contracts/ids.js';
import { AppError } from '../../src/http/errors.js';
import {
  ChannelEntityIdSchema,
  CommunityPath,
  CommunityRowPath,
  requireActingUser,
  restActor,
  restErrorFor,
} from '../../src/service/index.js';

describe('per-community module REST pieces', () => {
  it('path params: decimal community ids are normalised, anything else is refused', () => {
    expect(CommunityPath.parse({ community_id: '007' })).toEqual({ community_id: '7' });
    // As the router sends it (CommunityIdSchema): beyond 2^53 no digit is rounded away.
    expect(CommunityPath.parse({ community_id: '90071992547409931' })).toEqual({
      community_id: CommunityIdSchema.parse('90071992547409931'),
    });
    expect(CommunityPath.parse({ community_id: '0' })).toEqual({ community_id: '0' });
    expect(CommunityPath.safeParse({ community_id: 'abc' }).success).toBe(false);
    expect(CommunityPath.safeParse({ community_id: '-1' }).success).toBe(false);
    expect(CommunityRowPath.parse({ community_id: '7', id: '12' })).toEqual({ community_id: '7', id: 12 });
    expect(CommunityRowPath.safeParse({ community_id: '7', id: '0' }).success).toBe(false);
    expect(CommunityRowPath.safeParse({ community_id: '7', id: '1.5' }).success).toBe(false);
  });

  it('a channel entity is one a chat message can go to, never a whole server', () => {
    for (const ok of ['twitch:1001', 'discord:G1:C1', 'slack:T1:C9'])
      expect(ChannelEntityIdSchema.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['twitch:1:2', 'discord:G1', 'slack:T1', 'irc:x:y', 'discord:G 1:C1', ''])
      expect(ChannelEntityIdSchema.safeParse(bad).success, bad).toBe(false);
  });

  it('requireActingUser: the named user with role and labels, else a 400 naming the header', async () => {
    const app = new Hono();
    app.get('/', (c) => {
      try {
        return c.json(requireActingUser(c));
      } catch (err) {
        const e = err as AppError;
        return c.json({ code: e.code, details: e.details }, e.status as 400);
      }
    });
    const named = await app.request('/', {
      headers: {
        'X-WaddleBot-User-Id': '311',
        'X-WaddleBot-User-Role': 'moderator',
        'X-WaddleBot-User-Labels': 'memories, vip',
      },
    });
    expect(await named.json()).toEqual({
      id: '311',
      name: null,
      role: 'moderator',
      labels: ['memories', 'vip'],
    });
    const anonymous = await app.request('/');
    expect(anonymous.status).toBe(400);
    expect(await anonymous.json()).toEqual({
      code: 'VALIDATION_ERROR',
      details: [{ path: 'X-WaddleBot-User-Id', message: 'Required' }],
    });
  });

  it('restActor: a named user acts as themselves, a call naming nobody is the trusted service', async () => {
    const app = new Hono();
    app.get('/', (c) => {
      try {
        return c.json(restActor(c));
      } catch (err) {
        return c.json({ code: (err as AppError).code }, 400);
      }
    });
    const asUser = await app.request('/', {
      headers: { 'X-WaddleBot-User-Id': 'twitch:5', 'X-WaddleBot-User-Role': 'member' },
    });
    expect(await asUser.json()).toMatchObject({ key: 'twitch:5', role: 'member', system: false });
    const asService = await app.request('/');
    expect(await asService.json()).toEqual({
      id: null,
      name: null,
      role: 'owner',
      labels: [],
      key: 'system',
      system: true,
    });
    // A role without a user is no way round the check.
    const roleOnly = await app.request('/', { headers: { 'X-WaddleBot-User-Role': 'owner' } });
    expect(roleOnly.status).toBe(400);
    expect(await roleOnly.json()).toEqual({ code: 'VALIDATION_ERROR' });
  });

  it('restErrorFor maps the chat error codes to the REST envelope codes', () => {
    const cases = [
      ['VALIDATION', 400, 'VALIDATION_ERROR'],
      ['USAGE', 400, 'VALIDATION_ERROR'],
      ['FORBIDDEN', 403, 'FORBIDDEN'],
      ['NOT_FOUND', 404, 'NOT_FOUND'],
      ['CONFLICT', 409, 'CONFLICT'],
      ['UPSTREAM', 502, 'UPSTREAM_ERROR'],
      ['INTERNAL', 500, 'INTERNAL_ERROR'],
    ] as const;
    for (const [code, status, rest] of cases) {
      const err = restErrorFor(code, 'Title too short', 'title');
      expect([err.status, err.code], code).toEqual([status, rest]);
    }
    expect(restErrorFor('VALIDATION', 'Title too short', 'title').details).toEqual([
      { path: 'title', message: 'Title too short' },
    ]);
    // Internal detail never reaches the caller.
    expect(restErrorFor('INTERNAL', 'db exploded at row 7').message).toBe('Internal error');
  });
});
