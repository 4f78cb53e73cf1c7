import { ConnectionError, UpstreamError, type HttpResponse } from '@waddlebot/core';
import { sql } from 'kysely';
import { fetchCommunity } from './community-client.js';
import type { ModuleRow } from './db.js';
import type { MarketplaceDeps, Queryable } from './marketplace-deps.js';
import { selectModules } from './modules.js';

/** A router call that failed; the message is ours, never the router's text. */
export class RouterSyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RouterSyncError';
  }
}

async function routerCall<T>(run: () => Promise<HttpResponse<T>>, what: string): Promise<HttpResponse<T>> {
  let res: HttpResponse<T>;
  try {
    res = await run();
  } catch (err) {
    throw new RouterSyncError(
      err instanceof ConnectionError ? `router unreachable (${what})` : `router call failed (${what})`,
    );
  }
  if (!res.ok) throw new RouterSyncError(`router answered ${res.status} (${what})`);
  return res;
}

/** §6.2 effective module set membership of one module for one community. */
export async function isEffective(db: Queryable, communityId: number, module: ModuleRow): Promise<boolean> {
  if (!module.is_active || module.published_at === null) return false;
  const inst = await db
    .selectFrom('module_installations')
    .select('is_enabled')
    .where('module_id', '=', module.id)
    .where('community_id', '=', communityId)
    .executeTakeFirst();
  return module.is_core ? !inst || inst.is_enabled : inst?.is_enabled === true;
}

/**
 * The router registry ids of a module's commands. Core modules seed their own rows (contracts §9.2,
 * `module_name` = service name = our `module_id`), so they are looked up, not overwritten;
 * marketplace modules are upserted (idempotent on prefix, command, community).
 */
async function routerCommandIds(deps: MarketplaceDeps, module: ModuleRow): Promise<number[]> {
  if (module.is_core) {
    const res = await routerCall(
      () =>
        deps.router.get<{ data?: { id: number; module_name: string | null; is_active: boolean }[] }>(
          '/router/admin/commands',
        ),
      'list commands',
    );
    return (res.body?.data ?? [])
      .filter((r) => r.module_name === module.module_id && r.is_active)
      .map((r) => r.id);
  }
  const commands = await deps.db
    .selectFrom('module_commands')
    .selectAll()
    .where('module_id', '=', module.id)
    .where('is_active', '=', true)
    .orderBy('id')
    .execute();
  const ids: number[] = [];
  for (const c of commands) {
    const res = await routerCall(
      () =>
        deps.router.post<{ data?: { id?: number } }>('/router/admin/commands', {
          command: c.command,
          prefix: c.location === 'community' ? '#' : '!',
          description: c.description,
          usage: c.usage,
          location: c.location,
          type: c.type,
          location_url: c.location_url,
          method: c.method,
          timeout: c.timeout,
          rate_limit: c.rate_limit,
          required_permission: c.permissions_required[0] ?? 'commands.basic',
          enabled_by_default: module.is_core,
          trigger_type: 'command',
          module_id: module.module_id,
          module_name: module.module_id,
          module_type: 'marketplace',
          version: module.version,
        }),
      'register command',
    );
    const id = res.body?.data?.id;
    if (typeof id !== 'number') throw new RouterSyncError('router answered without a command id');
    ids.push(id);
  }
  return ids;
}

/** Makes the router's enablement of one module's commands match the community's installs. */
async function syncModule(
  deps: MarketplaceDeps,
  communityId: number,
  module: ModuleRow,
  entityIds: string[],
) {
  const enabled = await isEffective(deps.db, communityId, module);
  const ids = await routerCommandIds(deps, module);
  for (const id of ids)
    for (const entity of entityIds)
      await routerCall(
        () =>
          deps.router.put(`/router/admin/commands/${id}/entities/${encodeURIComponent(entity)}`, {
            is_enabled: enabled,
          }),
        'set enablement',
      );
  return ids.length;
}

/** Marks (community, module) as needing a router sync; called inside the writing transaction. */
export async function queueSync(db: Queryable, communityId: number, moduleRowId: number, now: Date) {
  await db
    .insertInto('router_sync_queue')
    .values({ community_id: communityId, module_id: moduleRowId, queued_at: now, last_error: null })
    .onConflict((oc) =>
      oc.columns(['community_id', 'module_id']).doUpdateSet({
        generation: sql`router_sync_queue.generation + 1`,
        queued_at: now,
      }),
    )
    .execute();
}

async function moduleById(db: Queryable, id: number) {
  return selectModules(db).where('m.id', '=', id).executeTakeFirst();
}

/**
 * Runs one queued sync. On success the job is removed unless it was queued again meanwhile; on
 * failure it stays for the retry loop. Returns a warning for the caller, or null.
 */
export async function runQueuedSync(
  deps: MarketplaceDeps,
  communityId: number,
  moduleRowId: number,
  entityIds?: string[],
): Promise<string | null> {
  const job = await deps.db
    .selectFrom('router_sync_queue')
    .select('generation')
    .where('community_id', '=', communityId)
    .where('module_id', '=', moduleRowId)
    .executeTakeFirst();
  if (!job) return null;
  const module = await moduleById(deps.db, moduleRowId);
  try {
    let entities = entityIds;
    if (!entities) {
      const community = await fetchCommunity(deps.community, communityId).catch(() => {
        throw new RouterSyncError('community service unreachable');
      });
      entities = community?.entityIds ?? [];
    }
    if (module) await syncModule(deps, communityId, module, entities);
  } catch (err) {
    const message = err instanceof RouterSyncError ? err.message : 'sync failed';
    await deps.db
      .updateTable('router_sync_queue')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: message.slice(0, 200) }))
      .where('community_id', '=', communityId)
      .where('module_id', '=', moduleRowId)
      .execute();
    deps.logger.warn('router sync failed; queued for retry', {
      community: String(communityId),
      module_id: module?.module_id,
      reason: message,
    });
    return 'Router sync is pending: the module commands will be updated when the router is reachable';
  }
  await deps.db
    .deleteFrom('router_sync_queue')
    .where('community_id', '=', communityId)
    .where('module_id', '=', moduleRowId)
    .where('generation', '=', job.generation)
    .execute();
  return null;
}

/**
 * `POST /marketplace/community/:id/sync`: every module whose enablement this community decides
 * (effective set, turned-off core modules, pending jobs). Throws 502 when the router fails.
 */
export async function syncCommunity(deps: MarketplaceDeps, communityId: number, entityIds: string[]) {
  const candidates = await selectModules(deps.db)
    .where((eb) =>
      eb.or([
        eb.and([
          eb('m.is_core', '=', true),
          eb('m.is_active', '=', true),
          eb('m.published_at', 'is not', null),
        ]),
        eb(
          'm.id',
          'in',
          eb
            .selectFrom('module_installations as i')
            .select('i.module_id')
            .where('i.community_id', '=', communityId),
        ),
        eb(
          'm.id',
          'in',
          eb
            .selectFrom('router_sync_queue as q')
            .select('q.module_id')
            .where('q.community_id', '=', communityId),
        ),
      ]),
    )
    .orderBy('m.id')
    .execute();
  let synced = 0;
  for (const module of candidates) {
    // Re-queue first so a failure here is retried like any other.
    await queueSync(deps.db, communityId, module.id, deps.clock.now());
    const job = await deps.db
      .selectFrom('router_sync_queue')
      .select('generation')
      .where('community_id', '=', communityId)
      .where('module_id', '=', module.id)
      .executeTakeFirstOrThrow();
    try {
      synced += await syncModule(deps, communityId, module, entityIds);
    } catch (err) {
      deps.logger.warn('community router sync failed', {
        community: String(communityId),
        module_id: module.module_id,
        reason: err instanceof RouterSyncError ? err.message : 'sync failed',
      });
      throw new UpstreamError('The router could not be reached; the sync is queued for retry');
    }
    await deps.db
      .deleteFrom('router_sync_queue')
      .where('community_id', '=', communityId)
      .where('module_id', '=', module.id)
      .where('generation', '=', job.generation)
      .execute();
  }
  return { synced_commands: synced, entities: entityIds.length };
}

/** One pass of the retry loop: the oldest pending jobs, bounded per pass. */
export async function retryPendingSyncs(deps: MarketplaceDeps, limit = 50): Promise<number> {
  const jobs = await deps.db
    .selectFrom('router_sync_queue')
    .select(['community_id', 'module_id'])
    .orderBy('queued_at')
    .limit(limit)
    .execute();
  let done = 0;
  for (const job of jobs) {
    const community = await fetchCommunity(deps.community, job.community_id).catch(() => undefined);
    if (community === undefined) continue; // community service down: try next pass
    if (community === null) {
      // The community is gone; nothing of it is left to enable.
      await deps.db
        .deleteFrom('router_sync_queue')
        .where('community_id', '=', job.community_id)
        .where('module_id', '=', job.module_id)
        .execute();
      continue;
    }
    if ((await runQueuedSync(deps, job.community_id, job.module_id, community.entityIds)) === null) done++;
  }
  return done;
}
