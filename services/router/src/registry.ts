import { GLOBAL_COMMUNITY_ID, isUndefinedTable, parseEntityId } from '@waddlebot/core';
import { sql, type Selectable } from 'kysely';
import type { CommandsTable } from './db.js';
import type { RouterContext } from './router-deps.js';

export type CommandRecord = Selectable<CommandsTable>;

export interface EntityRecord {
  id: number;
  entity_id: string;
  is_active: boolean;
}

/** Cache key prefixes, so admin writes can clear exactly what they changed. */
export const CacheKeys = {
  entity: (entityId: string) => `entity:row:${entityId}`,
  community: (entityId: string) => `entity:community:${entityId}`,
  command: (prefix: string, command: string, community: number) =>
    `command:${prefix}:${command}:${community}`,
  permission: (commandId: number, entityId: string) => `permission:${commandId}:${entityId}`,
  eventModules: (community: number, type: string) => `command:event:${community}:${type}`,
  fallback: (community: number) => `command:fallback:${community}`,
  role: (entityId: string, userKey: string, community: number) => `role:${entityId}:${userKey}:${community}`,
  labels: (community: number, userKey: string) => `labels:${community}:${userKey}`,
  stringRules: (entityId: string) => `stringrules:${entityId}`,
};

/** Step 3: the `entities` row, created on first sight with owner `system`. */
export async function ensureEntity(ctx: RouterContext, entityId: string): Promise<EntityRecord> {
  const key = CacheKeys.entity(entityId);
  const cached = ctx.cache.get<EntityRecord>(key);
  if (cached) return cached;
  const parsed = parseEntityId(entityId);
  if (!parsed) throw new Error('malformed entity id');
  await ctx.db
    .insertInto('entities')
    .values({
      entity_id: entityId,
      platform: parsed.platform,
      server_id: parsed.server_id,
      channel_id: parsed.channel_id,
    })
    .onConflict((oc) => oc.column('entity_id').doNothing())
    .execute();
  const row = await ctx.db
    .selectFrom('entities')
    .select(['id', 'entity_id', 'is_active'])
    .where('entity_id', '=', entityId)
    .executeTakeFirstOrThrow();
  ctx.cache.set(key, row, ctx.config.ROUTER_ENTITY_CACHE_TTL);
  return row;
}

export async function findEntity(ctx: RouterContext, entityId: string) {
  return ctx.db.selectFrom('entities').selectAll().where('entity_id', '=', entityId).executeTakeFirst();
}

/** §3.5 step 0: the community of the active entity group holding the entity, else Global (1). */
export function entityCommunity(ctx: RouterContext, entityId: string): Promise<number> {
  return ctx.cache.getOrLoad(CacheKeys.community(entityId), ctx.config.ROUTER_ENTITY_CACHE_TTL, async () => {
    try {
      const row = await ctx.community
        .selectFrom('entity_groups')
        .select('community_id')
        .where('is_active', '=', true)
        .where(sql<boolean>`entity_ids @> ${JSON.stringify([entityId])}::jsonb`)
        .orderBy('id')
        .executeTakeFirst();
      return row ? Number(row.community_id) : GLOBAL_COMMUNITY_ID;
    } catch (err) {
      if (isUndefinedTable(err)) return GLOBAL_COMMUNITY_ID;
      throw err;
    }
  });
}

/** §3.5 step 1: a community row overrides the global one. */
export function findCommand(
  ctx: RouterContext,
  prefix: string,
  command: string,
  community: number,
): Promise<CommandRecord | null> {
  return ctx.cache.getOrLoad(
    CacheKeys.command(prefix, command, community),
    ctx.config.ROUTER_COMMAND_CACHE_TTL,
    async () => {
      const rows = await ctx.db
        .selectFrom('commands')
        .selectAll()
        .where('prefix', '=', prefix)
        .where('command', '=', command)
        .where('is_active', '=', true)
        .where('trigger_type', 'in', ['command', 'both'])
        .where((eb) => eb.or([eb('community_id', 'is', null), eb('community_id', '=', community)]))
        .execute();
      return rows.find((r) => r.community_id === community) ?? rows[0] ?? null;
    },
  );
}

export function findFallbackCommand(ctx: RouterContext, community: number): Promise<CommandRecord | null> {
  return ctx.cache.getOrLoad(CacheKeys.fallback(community), ctx.config.ROUTER_COMMAND_CACHE_TTL, async () => {
    const rows = await ctx.db
      .selectFrom('commands')
      .selectAll()
      .where('trigger_type', '=', 'fallback')
      .where('is_active', '=', true)
      .where((eb) => eb.or([eb('community_id', 'is', null), eb('community_id', '=', community)]))
      .orderBy('priority')
      .orderBy('id')
      .execute();
    return rows.find((r) => r.community_id === community) ?? rows[0] ?? null;
  });
}

/** §3.10: event-triggered rows for a message type, ordered by priority. */
export function findEventModules(ctx: RouterContext, community: number, messageType: string) {
  return ctx.cache.getOrLoad(
    CacheKeys.eventModules(community, messageType),
    ctx.config.ROUTER_COMMAND_CACHE_TTL,
    async () => {
      const rows = await ctx.db
        .selectFrom('commands')
        .selectAll()
        .where('trigger_type', 'in', ['event', 'both'])
        .where('is_active', '=', true)
        .where(sql<boolean>`event_types @> ${JSON.stringify([messageType])}::jsonb`)
        .where((eb) => eb.or([eb('community_id', 'is', null), eb('community_id', '=', community)]))
        .orderBy('priority')
        .orderBy('id')
        .execute();
      // A community row replaces a global row of the same command name.
      const overridden = new Set(
        rows.filter((r) => r.community_id !== null).map((r) => `${r.prefix}${r.command}`),
      );
      return rows.filter((r) => r.community_id !== null || !overridden.has(`${r.prefix}${r.command}`));
    },
  );
}

export interface Enablement {
  enabled: boolean;
  config: Record<string, unknown>;
}

/** §3.5 step 3: the `command_permissions` row, else `enabled_by_default`. */
export async function commandEnablement(
  ctx: RouterContext,
  command: CommandRecord,
  entity: EntityRecord,
): Promise<Enablement> {
  const key = CacheKeys.permission(command.id, entity.entity_id);
  const cached = ctx.cache.get<Enablement>(key);
  if (cached) return cached;
  const row = await ctx.db
    .selectFrom('command_permissions')
    .select(['is_enabled', 'config'])
    .where('command_id', '=', command.id)
    .where('entity_id', '=', entity.id)
    .executeTakeFirst();
  const result: Enablement = {
    enabled: row ? row.is_enabled : command.enabled_by_default,
    config: (row?.config as Record<string, unknown> | null) ?? {},
  };
  // Enabled answers are stable; disabled ones are re-checked sooner (§3.5: positive 600 s, negative 60 s).
  ctx.cache.set(key, result, result.enabled ? 600 : 60);
  return result;
}

/** §3.5 step 5: usage counters, written before the result goes out; failures only logged. */
export async function recordUsage(ctx: RouterContext, commandId: number, entity: EntityRecord) {
  const now = ctx.deps.clock.now();
  await ctx.db
    .insertInto('command_permissions')
    .values({ command_id: commandId, entity_id: entity.id, usage_count: 1, last_used: now, is_enabled: true })
    .onConflict((oc) =>
      oc.columns(['command_id', 'entity_id']).doUpdateSet({
        usage_count: sql`command_permissions.usage_count + 1`,
        last_used: now,
        updated_at: now,
      }),
    )
    .execute()
    .catch((err: unknown) =>
      ctx.deps.logger.error('usage counter update failed', { err, command_id: commandId }),
    );
}

/** `!help`: the `!` commands enabled for the entity, in one chat line of at most 450 chars. */
export async function helpText(ctx: RouterContext, entity: EntityRecord, community: number): Promise<string> {
  const rows = await ctx.db
    .selectFrom('commands')
    .leftJoin('command_permissions as cp', (j) =>
      j.onRef('cp.command_id', '=', 'commands.id').on('cp.entity_id', '=', entity.id),
    )
    .select(['commands.command', 'commands.community_id', 'commands.enabled_by_default', 'cp.is_enabled'])
    .where('commands.prefix', '=', '!')
    .where('commands.is_active', '=', true)
    .where('commands.trigger_type', 'in', ['command', 'both'])
    .where((eb) =>
      eb.or([eb('commands.community_id', 'is', null), eb('commands.community_id', '=', community)]),
    )
    .execute();
  const byName = new Map<string, (typeof rows)[number]>();
  for (const r of rows) if (!byName.has(r.command) || r.community_id !== null) byName.set(r.command, r);
  const names = [...byName.values()]
    .filter((r) => r.is_enabled ?? r.enabled_by_default)
    .map((r) => `!${r.command}`)
    .concat('!help')
    .sort();
  let text = 'Commands: ';
  for (const [i, n] of [...new Set(names)].entries()) {
    const piece = (i === 0 ? '' : ', ') + n;
    if (text.length + piece.length > 446) {
      text += ', …';
      break;
    }
    text += piece;
  }
  return text;
}
