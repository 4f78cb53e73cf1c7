import {
  EntityIdSchema,
  NotFoundError,
  RoleSchema,
  UpstreamError,
  ValidationError,
  ok,
  parseEntityId,
  readJson,
  z,
  type AppEnv,
} from '@waddlebot/core';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import {
  adminCommandRows,
  CommandPatchSchema,
  CommandWriteSchema,
  deactivateCommand,
  setEntityEnablement,
  updateCommand,
  upsertCommand,
} from '../command-admin.js';
import { rateLimitKeys } from '../command-dispatch.js';
import { dbId, dbIdQuery, userKey } from '../db-limits.js';
import { entityCommunity } from '../registry.js';
import { assignEntityRole, effectiveRole } from '../roles.js';
import type { RouterContext } from '../router-deps.js';
import {
  ACCOUNT_TYPES,
  apiUsageSummary,
  createAccount,
  listAccounts,
  regenerateKey,
  revokeAccount,
} from '../service-accounts.js';
import { parseQuery } from './responses.js';
import { idParam } from './string-rules.js';

export const AccountSchema = z.object({
  account_name: z.string().min(1).max(128),
  account_type: z.enum(ACCOUNT_TYPES),
  platform: z.enum(['twitch', 'discord', 'slack']).nullish(),
  description: z.string().max(1000).nullish(),
  rate_limit: z.number().int().min(0).max(1_000_000).optional(),
  expires_at: z.iso.datetime({ offset: true }).nullish(),
  permissions: z.array(z.string().min(1).max(200)).max(50).optional(),
});

/** Community ids arrive as numbers or decimal strings (contracts §3). */
const communityId = z.union([
  dbId,
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'must be a positive integer')
    .transform(Number),
]);

export const RoleBody = z.object({
  user_id: userKey,
  role: z.string(),
  entity_id: EntityIdSchema.optional(),
  community_id: communityId.optional(),
  assigned_by: z.string().max(256).optional(),
});

export const EnablementBody = z.object({
  is_enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()).optional(),
});
const CacheClearBody = z.object({
  entity_id: z.string().max(400).optional(),
  community_id: dbId.optional(),
});

/** Who made an admin call: the external account's name, else the internal caller. */
const actorOf = (c: Context<AppEnv>) => c.get('auth').username ?? 'service';

/** §3.15 admin API (svc or admin key). */
export function mountAdminRoutes(r: Hono<AppEnv>, ctx: RouterContext, admin: MiddlewareHandler<AppEnv>) {
  const accountAudit = (c: Context<AppEnv>, action: string, accountId: number) =>
    ctx.deps.logger.audit({ action, user: actorOf(c), result: 'SUCCESS', account_id: accountId });

  r.post('/admin/service-accounts', admin, async (c) => {
    const body = await readJson(c, AccountSchema);
    const created = await createAccount(ctx, { ...body, created_by: actorOf(c) });
    accountAudit(c, 'service_account_created', created.id);
    return ok(c, created, 201);
  });
  r.get('/admin/service-accounts', admin, async (c) => ok(c, await listAccounts(ctx)));
  const accountActions = [
    ['regenerate', regenerateKey, 'service_account_regenerated'],
    ['revoke', revokeAccount, 'service_account_revoked'],
  ] as const;
  for (const [path, act, action] of accountActions) {
    r.post(`/admin/service-accounts/:id/${path}`, admin, async (c) => {
      const res = await act(ctx, idParam(c.req.param('id')));
      accountAudit(c, action, res.id);
      return ok(c, res);
    });
  }
  r.get('/admin/api-usage', admin, async (c) => {
    const q = parseQuery(
      z.object({
        days: z.coerce.number().int().min(1).max(365).default(7),
        account_id: dbIdQuery.optional(),
      }),
      c.req.query(),
    );
    return ok(c, await apiUsageSummary(ctx, q.days, q.account_id));
  });

  r.get('/admin/commands', admin, async (c) => ok(c, await adminCommandRows(ctx)));
  r.post('/admin/commands', admin, async (c) => {
    const body = await readJson(c, CommandWriteSchema);
    const res = await upsertCommand(ctx, body);
    return ok(c, { id: res.id }, res.created ? 201 : 200);
  });
  r.put('/admin/commands/:id', admin, async (c) => {
    const id = idParam(c.req.param('id'));
    return ok(c, await updateCommand(ctx, id, await readJson(c, CommandPatchSchema)));
  });
  r.delete('/admin/commands/:id', admin, async (c) =>
    ok(c, await deactivateCommand(ctx, idParam(c.req.param('id')))),
  );
  r.put('/admin/commands/:id/entities/:entity_id', admin, async (c) => {
    const id = idParam(c.req.param('id'));
    const body = await readJson(c, EnablementBody);
    return ok(c, await setEntityEnablement(ctx, id, c.req.param('entity_id'), body));
  });

  r.put('/admin/roles', admin, async (c) => {
    const body = await readJson(c, RoleBody);
    const role = RoleSchema.safeParse(body.role);
    if (!role.success)
      throw new ValidationError('Validation failed', [
        { path: 'role', message: 'must be a role of the contracts §4 ladder' },
      ]);
    if (!body.entity_id && body.community_id === undefined) {
      throw new ValidationError('Validation failed', [
        { path: 'entity_id', message: 'entity_id or community_id is required' },
      ]);
    }
    const actor = body.assigned_by ?? actorOf(c);
    if (body.entity_id) {
      await assignEntityRole(ctx, {
        entity_id: body.entity_id,
        user_id: body.user_id,
        role: role.data,
        assigned_by: actor,
      });
    } else {
      let res;
      try {
        res = await ctx.deps.serviceClient('community').put(
          `/communities/${body.community_id}/members/${encodeURIComponent(body.user_id)}`,
          { role: role.data },
          {
            headers: { 'X-WaddleBot-User-Id': actor },
          },
        );
      } catch {
        throw new UpstreamError('Community service unavailable');
      }
      if (res.status === 404) throw new NotFoundError('Community or member not found');
      if (!res.ok) throw new UpstreamError('Community service refused the role change');
      await ctx.invalidate({ prefixes: ['role:'] });
    }
    ctx.deps.logger.audit({
      action: 'role_assigned',
      user: actor,
      result: 'SUCCESS',
      target_user: body.user_id,
      role: role.data,
      ...(body.entity_id ? { entity_id: body.entity_id } : { community: String(body.community_id) }),
    });
    return ok(c, {
      user_id: body.user_id,
      role: role.data,
      entity_id: body.entity_id ?? null,
      community_id: body.community_id ?? null,
    });
  });

  r.get('/admin/users/:user_id/permissions', admin, async (c) => {
    const q = parseQuery(
      z.object({
        entity_id: EntityIdSchema.optional(),
        community_id: dbIdQuery.optional(),
      }),
      c.req.query(),
    );
    const userId = c.req.param('user_id');
    const community = q.community_id ?? (q.entity_id ? await entityCommunity(ctx, q.entity_id) : 1);
    // Without an entity only the community role applies; no entity id matches `entity_roles`.
    const role = await effectiveRole(ctx, userId, q.entity_id ?? '', community, null);
    return ok(c, {
      user_id: userId,
      role: role.role,
      permissions: role.permissions,
      entity_id: q.entity_id ?? null,
      community_id: community,
    });
  });

  r.post('/admin/cache/clear', admin, async (c) => {
    const text = await c.req.text();
    let body: z.output<typeof CacheClearBody> = {};
    if (text.trim()) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new ValidationError('Malformed JSON body', [{ path: '', message: 'Malformed JSON' }]);
      }
      const parsed = CacheClearBody.safeParse(raw);
      if (!parsed.success)
        throw new ValidationError(
          'Validation failed',
          parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        );
      body = parsed.data;
    }
    // A community change can move entities and roles anywhere: clear by entity when named, else all.
    const prefixes =
      body.entity_id && body.community_id === undefined && parseEntityId(body.entity_id)
        ? [
            `entity:community:${body.entity_id}`,
            `role:${body.entity_id}:`,
            `stringrules:${body.entity_id}`,
            'command:',
            'labels:',
          ]
        : [];
    await ctx.invalidate({ prefixes });
    return ok(c, { cleared: true, scope: prefixes.length ? 'entity' : 'all' });
  });

  r.post('/admin/rate-limits/reset', admin, async (c) => {
    const body = await readJson(c, z.object({ user_id: userKey }));
    const removed = await ctx.deps.state.rateLimiter.resetPrefix(rateLimitKeys.user(body.user_id));
    ctx.deps.logger.audit({
      action: 'rate_limits_reset',
      user: actorOf(c),
      result: 'SUCCESS',
      target_user: body.user_id,
    });
    return ok(c, { user_id: body.user_id, reset: removed });
  });
}
