import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  createAuth,
  generateApiKey,
  isUniqueViolation,
  sha256Hex,
  type AppEnv,
  type AuthContext,
} from '@waddlebot/core';
import type { MiddlewareHandler } from 'hono';
import { rejectUnstorableText } from './text-guard.js';
import type { RouterContext } from './router-deps.js';
import { deactivateRow } from './soft-delete.js';

export const ACCOUNT_TYPES = ['interaction', 'webhook', 'admin'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** §3.2 default permission patterns per account type. */
export const DEFAULT_PATTERNS: Record<AccountType, string[]> = {
  interaction: ['router/responses*', 'router/commands', 'router/entities'],
  webhook: ['router/responses'],
  admin: ['router/*'],
};

export interface AccountInfo {
  id: number;
  account_type: AccountType;
  permissions: string[];
  rate_limit: number;
}

/** `router/responses/…` for both `/router/…` and the `/api/v1/router/…` alias. */
export function endpointOf(path: string): string {
  return path.replace(/^\/+/, '').replace(/^api\/v1\//, '');
}

/** An entry is `[METHOD ]path`; a trailing `*` is a prefix match. */
export function patternAllows(patterns: string[], method: string, path: string): boolean {
  const endpoint = endpointOf(path);
  return patterns.some((raw) => {
    const parts = raw.trim().split(/\s+/);
    const [m, p] = parts.length > 1 ? [parts[0]!.toUpperCase(), parts[1]!] : [null, parts[0]!];
    if (m && m !== method.toUpperCase()) return false;
    const pattern = p.replace(/^\/+/, '');
    return pattern.endsWith('*') ? endpoint.startsWith(pattern.slice(0, -1)) : endpoint === pattern;
  });
}

export function createAccountAuth(ctx: RouterContext) {
  const textGuard = rejectUnstorableText();
  const auth = createAuth({
    serviceApiKey: ctx.config.SERVICE_API_KEY,
    logger: ctx.deps.logger,
    apiKeys: async (hash): Promise<AuthContext | null> => {
      const row = await ctx.db
        .selectFrom('service_accounts')
        .select([
          'id',
          'account_name',
          'account_type',
          'permissions',
          'rate_limit',
          'expires_at',
          'is_active',
        ])
        .where('api_key_hash', '=', hash)
        .executeTakeFirst();
      if (!row || !row.is_active) return null;
      if (row.expires_at && new Date(row.expires_at).getTime() <= ctx.deps.clock.nowMs()) return null;
      const type = row.account_type as AccountType;
      const permissions =
        Array.isArray(row.permissions) && row.permissions.length
          ? row.permissions
          : (DEFAULT_PATTERNS[type] ?? []);
      const account: AccountInfo = {
        id: row.id,
        account_type: type,
        permissions,
        rate_limit: row.rate_limit,
      };
      return {
        kind: 'api_key',
        user_id: null,
        username: row.account_name,
        email: null,
        roles: [type],
        permissions,
        account: account as unknown as Record<string, unknown>,
      };
    },
  });

  /**
   * Admits a valid X-Service-Key, or an external `wbot_` key of one of the given account types
   * whose patterns allow the endpoint and whose hourly quota is not spent (§3.2). External calls
   * are recorded (`last_used`, `usage_count`, one `api_usage` row) after the response.
   */
  return function requireCaller(...types: AccountType[]): MiddlewareHandler<AppEnv> {
    return async function routerAuth(c, next) {
      // External keys are always resolved, so a valid key of the wrong type is 403, not 401.
      const who = await auth.authenticate(c, ['service', 'api_key']);
      c.set('auth', who);
      // Requests are screened only after authentication, so a caller without a key always gets 401.
      if (who.kind === 'service') return textGuard(c, next);
      const account = who.account as unknown as AccountInfo;
      if (!types.includes(account.account_type))
        throw new ForbiddenError('This API key may not use this endpoint');
      if (!patternAllows(account.permissions, c.req.method, c.req.path)) {
        throw new ForbiddenError('This API key may not use this endpoint');
      }
      if (account.rate_limit > 0) {
        const hour = Math.floor(ctx.deps.clock.nowMs() / 3_600_000);
        const used = await ctx.deps.state.kv.incr(`waddlebot:router:quota:${account.id}:${hour}`, 3600);
        if (used > account.rate_limit) {
          const retry = Math.ceil(((hour + 1) * 3_600_000 - ctx.deps.clock.nowMs()) / 1000);
          throw new RateLimitedError(retry, 'Hourly API quota exceeded');
        }
      }
      const started = performance.now();
      try {
        await textGuard(c, next);
      } finally {
        recordUsage(ctx, account.id, {
          endpoint: c.req.path,
          method: c.req.method,
          ip: c.req.header('X-Forwarded-For')?.split(',')[0]?.trim() ?? null,
          userAgent: c.req.header('User-Agent') ?? null,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
          requestSize: Number(c.req.header('Content-Length') ?? 0) || null,
          responseSize: Number(c.res.headers.get('Content-Length') ?? 0) || null,
        });
      }
    };
  };
}

function recordUsage(
  ctx: RouterContext,
  accountId: number,
  u: {
    endpoint: string;
    method: string;
    ip: string | null;
    userAgent: string | null;
    status: number;
    ms: number;
    requestSize: number | null;
    responseSize: number | null;
  },
) {
  const now = ctx.deps.clock.now();
  Promise.all([
    ctx.db
      .updateTable('service_accounts')
      .set((eb) => ({ last_used: now, usage_count: eb('usage_count', '+', 1) }))
      .where('id', '=', accountId)
      .execute(),
    ctx.db
      .insertInto('api_usage')
      .values({
        service_account_id: accountId,
        endpoint: u.endpoint.slice(0, 400),
        method: u.method,
        ip_address: u.ip?.slice(0, 64) ?? null,
        user_agent: u.userAgent?.slice(0, 500) ?? null,
        response_status: u.status,
        response_time_ms: u.ms,
        request_size: u.requestSize,
        response_size: u.responseSize,
        timestamp: now,
      })
      .execute(),
  ]).catch((err: unknown) => ctx.deps.logger.error('api usage record failed', { err }));
}

export interface NewAccount {
  account_name: string;
  account_type: AccountType;
  platform?: string | null;
  description?: string | null;
  rate_limit?: number;
  expires_at?: string | null;
  permissions?: string[];
  created_by?: string | null;
}

/** `201 {id, api_key}`: the key is shown once; only its sha256 is stored. */
export async function createAccount(ctx: RouterContext, input: NewAccount) {
  const key = generateApiKey('wbot_');
  try {
    const row = await ctx.db
      .insertInto('service_accounts')
      .values({
        account_name: input.account_name,
        account_type: input.account_type,
        platform: input.platform ?? null,
        api_key_hash: sha256Hex(key),
        api_key_prefix: key.slice(0, 12),
        permissions: JSON.stringify(input.permissions ?? DEFAULT_PATTERNS[input.account_type]),
        rate_limit: input.rate_limit ?? 1000,
        expires_at: input.expires_at ? new Date(input.expires_at) : null,
        description: input.description ?? null,
        created_by: input.created_by ?? 'system',
        created_at: ctx.deps.clock.now(),
        updated_at: ctx.deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, api_key: key };
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('A service account with that name exists');
    throw err;
  }
}

export async function listAccounts(ctx: RouterContext) {
  return ctx.db
    .selectFrom('service_accounts')
    .select([
      'id',
      'account_name',
      'account_type',
      'platform',
      'api_key_prefix',
      'permissions',
      'is_active',
      'last_used',
      'usage_count',
      'rate_limit',
      'expires_at',
      'created_by',
      'description',
      'created_at',
      'updated_at',
    ])
    .orderBy('id')
    .execute();
}

export async function regenerateKey(ctx: RouterContext, id: number) {
  const key = generateApiKey('wbot_');
  const res = await ctx.db
    .updateTable('service_accounts')
    .set({ api_key_hash: sha256Hex(key), api_key_prefix: key.slice(0, 12), updated_at: ctx.deps.clock.now() })
    .where('id', '=', id)
    .executeTakeFirst();
  if (!res.numUpdatedRows) throw new NotFoundError('Service account not found');
  return { id, api_key: key };
}

export async function revokeAccount(ctx: RouterContext, id: number) {
  await deactivateRow(ctx, 'service_accounts', id, 'Service account');
  return { id, is_active: false };
}

/** `ROUTER_BOOTSTRAP_ADMIN_KEY` becomes an admin account when no admin account exists yet. */
export async function bootstrapAdminKey(ctx: RouterContext, key: string | undefined) {
  if (!key) return;
  const existing = await ctx.db
    .selectFrom('service_accounts')
    .select('id')
    .where('account_type', '=', 'admin')
    .executeTakeFirst();
  if (existing) return;
  await ctx.db
    .insertInto('service_accounts')
    .values({
      account_name: 'bootstrap-admin',
      account_type: 'admin',
      api_key_hash: sha256Hex(key),
      api_key_prefix: key.slice(0, 12),
      permissions: JSON.stringify(DEFAULT_PATTERNS.admin),
      created_by: 'bootstrap',
      created_at: ctx.deps.clock.now(),
      updated_at: ctx.deps.clock.now(),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  ctx.deps.logger.audit({ action: 'bootstrap_admin_key', user: 'system', result: 'SUCCESS' });
}

export async function apiUsageSummary(ctx: RouterContext, days: number, accountId?: number) {
  const since = new Date(ctx.deps.clock.nowMs() - days * 86_400_000);
  let q = ctx.db.selectFrom('api_usage').where('timestamp', '>=', since);
  if (accountId !== undefined) q = q.where('service_account_id', '=', accountId);
  const [total, statuses, endpoints] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
    q
      .select(['response_status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('response_status')
      .execute(),
    q
      .select(['endpoint', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('endpoint')
      .orderBy('n', 'desc')
      .limit(10)
      .execute(),
  ]);
  return {
    total_requests: Number(total?.n ?? 0),
    period_days: days,
    status_codes: Object.fromEntries(statuses.map((s) => [String(s.response_status), Number(s.n)])),
    top_endpoints: endpoints.map((e) => ({ endpoint: e.endpoint, requests: Number(e.n) })),
  };
}
