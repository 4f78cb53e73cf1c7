import { NotFoundError, parseEntityId, type Platform } from '@waddlebot/core';
import { entityIdsOf, receiverServers } from './receiver-channels.js';
import { sql } from 'kysely';
import type { RouterContext } from './router-deps.js';

const CLAIM_MINUTES = 30;
const STALE_CHECKIN_MINUTES = 6;
const ERROR_THRESHOLD = 3;

const minutes = (ctx: RouterContext, m: number) => new Date(ctx.deps.clock.nowMs() + m * 60_000);

/** Expired claims (`claim_expires` past, or no check-in for 6 min) go back to `available`. */
async function releaseExpired(ctx: RouterContext, platform?: string) {
  const now = ctx.deps.clock.now();
  let q = ctx.db
    .updateTable('coordination')
    .set({ claimed_by: null, claimed_at: null, claim_expires: null, status: 'available', updated_at: now })
    .where('claimed_by', 'is not', null)
    .where((eb) =>
      eb.or([eb('claim_expires', '<', now), eb('last_checkin', '<', minutes(ctx, -STALE_CHECKIN_MINUTES))]),
    );
  if (platform) q = q.where('platform', '=', platform);
  await q.execute();
}

/**
 * §3.16 claim: each row is taken with one conditional UPDATE, so two containers can never
 * both win it; always recorded under the caller's own `container_id`.
 */
export async function claim(
  ctx: RouterContext,
  platform: string,
  containerId: string,
  maxClaims: number,
  exclude: string[] = [],
) {
  await releaseExpired(ctx, platform);
  const now = ctx.deps.clock.now();
  let query = ctx.db
    .selectFrom('coordination')
    .select('id')
    .where('platform', '=', platform)
    .where('status', 'in', ['available', 'live', 'offline'])
    .where('claimed_by', 'is', null);
  if (exclude.length) query = query.where('entity_id', 'not in', exclude);
  const candidates = await query
    .orderBy(sql`is_live desc`)
    .orderBy('priority')
    .orderBy('viewer_count', 'desc')
    .orderBy(sql`last_activity asc nulls first`)
    .limit(maxClaims * 3)
    .execute();
  const claimed: string[] = [];
  for (const { id } of candidates) {
    if (claimed.length >= maxClaims) break;
    const row = await ctx.db
      .updateTable('coordination')
      .set({
        claimed_by: containerId,
        claimed_at: now,
        claim_expires: minutes(ctx, CLAIM_MINUTES),
        last_checkin: now,
        status: 'claimed',
        updated_at: now,
      })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('claimed_by', 'is', null),
          eb('claim_expires', '<', now),
          eb('last_checkin', '<', minutes(ctx, -STALE_CHECKIN_MINUTES)),
        ]),
      )
      .returning('entity_id')
      .executeTakeFirst();
    if (row) claimed.push(row.entity_id);
  }
  return { claimed_entities: claimed, claimed_count: claimed.length, container_id: containerId, platform };
}

export async function release(ctx: RouterContext, containerId: string, entityIds?: string[]) {
  let q = ctx.db
    .updateTable('coordination')
    .set({
      claimed_by: null,
      claimed_at: null,
      claim_expires: null,
      status: 'available',
      updated_at: ctx.deps.clock.now(),
    })
    .where('claimed_by', '=', containerId);
  if (entityIds?.length) q = q.where('entity_id', 'in', entityIds);
  const res = await q.executeTakeFirst();
  return { container_id: containerId, released_count: Number(res.numUpdatedRows) };
}

export async function checkin(ctx: RouterContext, containerId: string, extend = true) {
  const now = ctx.deps.clock.now();
  await ctx.db
    .updateTable('coordination')
    .set({
      last_checkin: now,
      updated_at: now,
      ...(extend ? { claim_expires: minutes(ctx, CLAIM_MINUTES) } : {}),
    })
    .where('claimed_by', '=', containerId)
    .execute();
  const entities = await ctx.db
    .selectFrom('coordination')
    .select(['entity_id', 'status', 'is_live', 'viewer_count', 'claim_expires'])
    .where('claimed_by', '=', containerId)
    .orderBy('id')
    .execute();
  return {
    container_id: containerId,
    timestamp: now.toISOString(),
    claimed_count: entities.length,
    entities,
  };
}

export async function reportStatus(
  ctx: RouterContext,
  input: {
    container_id: string;
    entity_id: string;
    is_live?: boolean;
    viewer_count?: number;
    metadata?: Record<string, unknown>;
    has_activity?: boolean;
  },
) {
  const now = ctx.deps.clock.now();
  const row = await ctx.db
    .selectFrom('coordination')
    .select(['id', 'is_live'])
    .where('entity_id', '=', input.entity_id)
    .where('claimed_by', '=', input.container_id)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Entity not claimed by this container');
  const set: Record<string, unknown> = { last_check: now, updated_at: now };
  if (input.is_live === true && !row.is_live)
    Object.assign(set, { is_live: true, live_since: now, status: 'live' });
  if (input.is_live === false) Object.assign(set, { is_live: false, live_since: null, status: 'offline' });
  if (input.viewer_count !== undefined) set.viewer_count = input.viewer_count;
  if (input.metadata !== undefined) set.metadata = JSON.stringify(input.metadata);
  if (input.has_activity) Object.assign(set, { last_activity: now, error_count: 0 });
  await ctx.db
    .updateTable('coordination')
    .set(set as never)
    .where('id', '=', row.id)
    .execute();
  return { entity_id: input.entity_id, updated: true };
}

export async function reportError(
  ctx: RouterContext,
  input: { container_id: string; entity_id: string; error_message: string },
) {
  const row = await ctx.db
    .updateTable('coordination')
    .set({
      error_count: sql`error_count + 1`,
      status: sql`case when error_count + 1 >= ${ERROR_THRESHOLD} then 'error' else status end`,
      updated_at: ctx.deps.clock.now(),
    })
    .where('entity_id', '=', input.entity_id)
    .where('claimed_by', '=', input.container_id)
    .returning(['error_count', 'status'])
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Entity not claimed by this container');
  ctx.deps.logger.warn('coordination error reported', {
    entity_id: input.entity_id,
    error_count: row.error_count,
  });
  return { entity_id: input.entity_id, error_count: row.error_count, status: row.status };
}

export async function releaseOffline(ctx: RouterContext, containerId: string) {
  const offline = await ctx.db
    .selectFrom('coordination')
    .select(['entity_id', 'platform'])
    .where('claimed_by', '=', containerId)
    .where('status', '=', 'offline')
    .execute();
  if (offline.length === 0) return { released: [], claimed: [] as string[] };
  const released = offline.map((o) => o.entity_id);
  await release(ctx, containerId, released);
  // The replacements are other entities: the ones just let go would otherwise come straight back.
  const claimedAgain: string[] = [];
  for (const platform of new Set(offline.map((o) => o.platform))) {
    const n = offline.filter((o) => o.platform === platform).length;
    claimedAgain.push(...(await claim(ctx, platform, containerId, n, released)).claimed_entities);
  }
  return { released, claimed: claimedAgain };
}

export async function stats(ctx: RouterContext) {
  const rows = await ctx.db
    .selectFrom('coordination')
    .select(['platform', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['platform', 'status'])
    .execute();
  const containers = await ctx.db
    .selectFrom('coordination')
    .select((eb) => eb.fn.count<number>('claimed_by').distinct().as('n'))
    .executeTakeFirst();
  const byPlatform: Record<string, Record<string, number>> = {};
  for (const r of rows) (byPlatform[r.platform] ??= {})[r.status] = Number(r.n);
  return {
    total: rows.reduce((s, r) => s + Number(r.n), 0),
    by_platform: byPlatform,
    active_containers: Number(containers?.n ?? 0),
  };
}

export async function listEntities(
  ctx: RouterContext,
  q: { platform?: string; status?: string; claimed_by?: string; is_live?: boolean; limit: number },
) {
  let query = ctx.db.selectFrom('coordination').selectAll();
  if (q.platform) query = query.where('platform', '=', q.platform);
  if (q.status) query = query.where('status', '=', q.status);
  if (q.claimed_by) query = query.where('claimed_by', '=', q.claimed_by);
  if (q.is_live !== undefined) query = query.where('is_live', '=', q.is_live);
  return query.orderBy('priority').orderBy('id').limit(q.limit).execute();
}

/**
 * Copies a receiver's monitored channels (contracts §17.5) into coordination rows: one per
 * monitored channel, or one for the server when it is monitored in all its channels.
 */
export async function populate(ctx: RouterContext, platform: Platform) {
  const servers = await receiverServers(ctx, platform);
  let added = 0;
  for (const server of servers.filter((s) => s.active)) {
    for (const entityId of entityIdsOf(platform, server)) {
      const parsed = parseEntityId(entityId);
      if (!parsed) continue;
      const res = await ctx.db
        .insertInto('coordination')
        .values({ platform, server_id: parsed.server_id, channel_id: parsed.channel_id, entity_id: entityId })
        .onConflict((oc) => oc.column('entity_id').doNothing())
        .executeTakeFirst();
      added += Number(res.numInsertedOrUpdatedRows ?? 0);
    }
  }
  return { platform, added };
}
