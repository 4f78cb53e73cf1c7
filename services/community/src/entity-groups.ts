import { ConflictError, NotFoundError, ValidationError, parseEntityId, sql } from '@waddlebot/core';
import type { Transaction } from 'kysely';
import { findCommunityById, type Queryable } from './communities.js';
import type { CommunityDeps } from './community-deps.js';
import type { CommunityDB } from './db.js';

/** An entity id a community can hold (§4.2 add entity), else 400 naming the accepted forms. */
export function parseCommunityEntityId(entityId: string) {
  const parsed = parseEntityId(entityId);
  // A Twitch channel is its broadcaster: there is no channel part (contracts §3).
  if (!parsed || (parsed.platform === 'twitch' && parsed.channel_id !== ''))
    throw new ValidationError(
      'Entity ids look like twitch:<broadcaster_id>, discord:<guild_id>:<channel_id> or slack:<team_id>:<channel_id>',
      [{ path: 'entity_id', message: 'must be <platform>:<server_id>[:<channel_id>]' }],
    );
  return parsed;
}

/**
 * Serialises every change that concerns one entity id, across communities and replicas, so the
 * "at most one active community per entity" check and the insert cannot interleave (§4.1).
 */
async function lockEntity(trx: Transaction<CommunityDB>, entityId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`community:entity:${entityId}`}))`.execute(trx);
}

const containsEntity = (entityId: string) => sql<boolean>`entity_ids @> ${JSON.stringify([entityId])}::jsonb`;

/** The active group holding an entity id, with its community's name. */
export async function communityOfEntity(db: Queryable, entityId: string) {
  return db
    .selectFrom('entity_groups as g')
    .innerJoin('communities as c', 'c.id', 'g.community_id')
    .select(['g.id as group_id', 'g.community_id', 'c.name as community_name'])
    .where(sql<boolean>`g.entity_ids @> ${JSON.stringify([entityId])}::jsonb`)
    .where('g.is_active', '=', true)
    .where('c.is_active', '=', true)
    .executeTakeFirst();
}

/**
 * `!community add entity`: appends the entity to its (platform, server) group of the community,
 * creating the group when needed. An entity already in any community is refused.
 */
export async function addEntity(
  deps: CommunityDeps,
  input: { communityId: number; entityId: string; createdBy: string },
): Promise<void> {
  const parsed = parseCommunityEntityId(input.entityId);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await lockEntity(trx, input.entityId);
    if (!(await findCommunityById(trx, input.communityId))) throw new NotFoundError('Community not found');
    const holder = await trx
      .selectFrom('entity_groups')
      .select('community_id')
      .where(containsEntity(input.entityId))
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (holder?.community_id === input.communityId)
      throw new ConflictError(`${input.entityId} is already in this community`);
    // Deliberately not naming the other community: its data is not this caller's to read.
    if (holder)
      throw new ConflictError(
        `${input.entityId} already belongs to another community; it must be removed there first`,
      );
    await trx
      .insertInto('entity_groups')
      .values({
        name: `${parsed.platform}:${parsed.server_id}`,
        platform: parsed.platform,
        server_id: parsed.server_id,
        entity_ids: JSON.stringify([input.entityId]),
        community_id: input.communityId,
        created_by: input.createdBy,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['community_id', 'platform', 'server_id'])
          // A literal predicate: Postgres matches a partial unique index only against constants.
          .where(sql<boolean>`is_active`)
          .doUpdateSet({
            entity_ids: sql`entity_groups.entity_ids || excluded.entity_ids`,
            updated_at: now,
          }),
      )
      .execute();
  });
  deps.logger.audit({
    action: 'entity_add',
    user: input.createdBy,
    community: input.communityId,
    result: 'SUCCESS',
    entity_id: input.entityId,
  });
  deps.notifyRouter({ entity_id: input.entityId, community_id: input.communityId });
}

/** Takes an entity out of the community; a group left without entities is deactivated. */
export async function removeEntity(
  deps: CommunityDeps,
  input: { communityId: number; entityId: string; removedBy: string },
): Promise<void> {
  parseCommunityEntityId(input.entityId);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await lockEntity(trx, input.entityId);
    const group = await trx
      .selectFrom('entity_groups')
      .select(['id', 'entity_ids'])
      .where('community_id', '=', input.communityId)
      .where(containsEntity(input.entityId))
      .where('is_active', '=', true)
      .forUpdate()
      .executeTakeFirst();
    if (!group) throw new NotFoundError(`${input.entityId} is not in this community`);
    const remaining = group.entity_ids.filter((e) => e !== input.entityId);
    await trx
      .updateTable('entity_groups')
      .set({ entity_ids: JSON.stringify(remaining), is_active: remaining.length > 0, updated_at: now })
      .where('id', '=', group.id)
      .execute();
  });
  deps.logger.audit({
    action: 'entity_remove',
    user: input.removedBy,
    community: input.communityId,
    result: 'SUCCESS',
    entity_id: input.entityId,
  });
  deps.notifyRouter({ entity_id: input.entityId, community_id: input.communityId });
}

export interface EntityGroupView {
  id: number;
  platform: string;
  server_id: string;
  entity_ids: string[];
}

export async function listEntityGroups(db: Queryable, communityId: number): Promise<EntityGroupView[]> {
  return db
    .selectFrom('entity_groups')
    .select(['id', 'platform', 'server_id', 'entity_ids'])
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .orderBy('id')
    .execute();
}
