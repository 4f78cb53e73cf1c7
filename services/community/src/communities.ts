import {
  ConflictError,
  ForbiddenError,
  GLOBAL_COMMUNITY_ID,
  NotFoundError,
  ValidationError,
  isUniqueViolation,
  sql,
} from '@waddlebot/core';
import type { Kysely, Transaction } from 'kysely';
import type { CommunityDeps } from './community-deps.js';
import type { CommunityDB, CommunityRow, CommunitySettings } from './db.js';
import { endMemberships, startMembership } from './membership-rows.js';

export type Queryable = Kysely<CommunityDB> | Transaction<CommunityDB>;

export const NAME_MIN_LENGTH = 2;
export const NAME_MAX_LENGTH = 100;
export const DESCRIPTION_MAX_LENGTH = 500;

const DEFAULT_SETTINGS: CommunitySettings = {
  is_global: false,
  auto_join: false,
  public: false,
  allow_user_invite: false,
  allow_entity_management: true,
};

export const isGlobal = (communityId: number) => communityId === GLOBAL_COMMUNITY_ID;

/** Trims and collapses inner whitespace, so "Penguin  Club" and "Penguin Club" are one name. */
export function normaliseCommunityName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (name.length < NAME_MIN_LENGTH || name.length > NAME_MAX_LENGTH)
    throw new ValidationError(`Community names are ${NAME_MIN_LENGTH}–${NAME_MAX_LENGTH} characters long`, [
      { path: 'name', message: `must be ${NAME_MIN_LENGTH}-${NAME_MAX_LENGTH} characters` },
    ]);
  // `!community context global` means the Global community, so no other community may be called that.
  if (name.toLowerCase() === 'global')
    throw new ValidationError('"Global" is reserved for the Global community', [
      { path: 'name', message: 'is reserved' },
    ]);
  // Control characters would garble chat replies and the portal.
  if (/\p{Cc}/u.test(name))
    throw new ValidationError('Community names cannot contain control characters', [
      { path: 'name', message: 'must not contain control characters' },
    ]);
  return name;
}

export async function findCommunityById(db: Queryable, id: number): Promise<CommunityRow | undefined> {
  return db
    .selectFrom('communities')
    .selectAll()
    .where('id', '=', id)
    .where('is_active', '=', true)
    .executeTakeFirst();
}

export async function getCommunity(db: Queryable, id: number): Promise<CommunityRow> {
  const row = await findCommunityById(db, id);
  if (!row) throw new NotFoundError('Community not found');
  return row;
}

/** Case-insensitive, whitespace-normalised lookup of an active community. */
export async function findCommunityByName(db: Queryable, name: string): Promise<CommunityRow | undefined> {
  const wanted = name.trim().replace(/\s+/g, ' ');
  if (!wanted) return undefined;
  return db
    .selectFrom('communities')
    .selectAll()
    .where(sql<string>`lower(name)`, '=', wanted.toLowerCase())
    .where('is_active', '=', true)
    .executeTakeFirst();
}

/** Locks the community row for the rest of the transaction; membership and role changes take it first. */
export async function lockCommunity(trx: Transaction<CommunityDB>, id: number): Promise<CommunityRow> {
  const row = await trx
    .selectFrom('communities')
    .selectAll()
    .where('id', '=', id)
    .where('is_active', '=', true)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Community not found');
  return row;
}

export interface CommunityCounts {
  member_count: number;
  entity_group_count: number;
}

export async function communityCounts(db: Queryable, ids: number[]): Promise<Map<number, CommunityCounts>> {
  const counts = new Map<number, CommunityCounts>(
    ids.map((id) => [id, { member_count: 0, entity_group_count: 0 }]),
  );
  if (ids.length === 0) return counts;
  const members = await db
    .selectFrom('community_memberships')
    .select(['community_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('community_id', 'in', ids)
    .where('is_active', '=', true)
    .groupBy('community_id')
    .execute();
  const groups = await db
    .selectFrom('entity_groups')
    .select(['community_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('community_id', 'in', ids)
    .where('is_active', '=', true)
    .groupBy('community_id')
    .execute();
  for (const m of members) counts.get(m.community_id)!.member_count = Number(m.n);
  for (const g of groups) counts.get(g.community_id)!.entity_group_count = Number(g.n);
  return counts;
}

export interface NewCommunity {
  name: string;
  description?: string | null;
  createdBy: string;
}

/** Creates a community; its creator becomes a member with the `owner` role (core-and-admin §4.2). */
export async function createCommunity(deps: CommunityDeps, input: NewCommunity): Promise<CommunityRow> {
  const name = normaliseCommunityName(input.name);
  const description = input.description?.trim() || null;
  if (description && description.length > DESCRIPTION_MAX_LENGTH)
    throw new ValidationError(`Descriptions are at most ${DESCRIPTION_MAX_LENGTH} characters`, [
      { path: 'description', message: `must be at most ${DESCRIPTION_MAX_LENGTH} characters` },
    ]);
  const now = deps.clock.now();
  let row: CommunityRow;
  try {
    row = await deps.db.transaction().execute(async (trx) => {
      if (await findCommunityByName(trx, name))
        throw new ConflictError(`A community named "${name}" already exists`);
      const created = await trx
        .insertInto('communities')
        .values({
          name,
          description,
          settings: JSON.stringify(DEFAULT_SETTINGS),
          owners: JSON.stringify([input.createdBy]),
          created_by: input.createdBy,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await startMembership(trx, {
        communityId: created.id,
        userKey: input.createdBy,
        role: 'owner',
        by: null,
        now,
      });
      return created;
    });
  } catch (err) {
    // Two creators racing for one name: the partial unique index decides.
    if (isUniqueViolation(err)) throw new ConflictError(`A community named "${name}" already exists`);
    throw err;
  }
  deps.logger.audit({
    action: 'community_create',
    user: input.createdBy,
    community: row.id,
    result: 'SUCCESS',
  });
  deps.notifyRouter({ community_id: row.id });
  return row;
}

/**
 * Soft-deletes a community with its entity groups, memberships, roles and contexts; its channels
 * fall back to the Global community. The Global community itself can never be deleted.
 */
export async function deleteCommunity(
  deps: CommunityDeps,
  communityId: number,
  actor: string,
): Promise<void> {
  if (isGlobal(communityId)) throw new ForbiddenError('The Global community cannot be deleted');
  const now = deps.clock.now();
  const entityIds = await deps.db.transaction().execute(async (trx) => {
    await lockCommunity(trx, communityId);
    const groups = await trx
      .updateTable('entity_groups')
      .set({ is_active: false, updated_at: now })
      .where('community_id', '=', communityId)
      .where('is_active', '=', true)
      .returning('entity_ids')
      .execute();
    await endMemberships(trx, communityId);
    await trx
      .updateTable('communities')
      .set({ is_active: false, owners: '[]', updated_at: now })
      .where('id', '=', communityId)
      .execute();
    return groups.flatMap((g) => g.entity_ids);
  });
  deps.logger.audit({ action: 'community_delete', user: actor, community: communityId, result: 'SUCCESS' });
  deps.notifyRouter({ community_id: communityId });
  for (const entity_id of entityIds) deps.notifyRouter({ entity_id, community_id: communityId });
}
