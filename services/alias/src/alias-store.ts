import type { Kysely, Transaction } from 'kysely';
import type { AliasDB, AliasRow } from './db.js';

type Db = Kysely<AliasDB> | Transaction<AliasDB>;

export function listActiveAliases(db: Db, communityId: string): Promise<AliasRow[]> {
  return db
    .selectFrom('alias_commands')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .orderBy('alias')
    .execute();
}

export function findActiveAlias(db: Db, communityId: string, alias: string): Promise<AliasRow | undefined> {
  return db
    .selectFrom('alias_commands')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('alias', '=', alias)
    .where('is_active', '=', true)
    .executeTakeFirst();
}

export async function countActiveAliases(db: Db, communityId: string): Promise<number> {
  const row = await db
    .selectFrom('alias_commands')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Counts one use; undefined when the alias was removed meanwhile. */
export function recordAliasUse(db: Db, id: number, now: Date): Promise<AliasRow | undefined> {
  return db
    .updateTable('alias_commands')
    .set((eb) => ({ usage_count: eb('usage_count', '+', 1), last_used: now }))
    .where('id', '=', id)
    .where('is_active', '=', true)
    .returningAll()
    .executeTakeFirst();
}
