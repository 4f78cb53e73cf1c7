import type { Insertable, Kysely } from 'kysely';
import type { ShoutoutDB, ShoutoutHistoryRow, ShoutoutHistoryTable } from './db.js';

/** One shoutout as given; targets are always looked up on Twitch, so the platform is fixed. */
export type HistoryEntry = Omit<Insertable<ShoutoutHistoryTable>, 'platform' | 'response_data'> & {
  response_data: Record<string, unknown>;
};

export async function recordHistory(db: Kysely<ShoutoutDB>, entry: HistoryEntry) {
  await db
    .insertInto('shoutout_history')
    .values({ ...entry, platform: 'twitch', response_data: JSON.stringify(entry.response_data) })
    .execute();
}

export function historyView(row: ShoutoutHistoryRow) {
  return {
    id: row.id,
    entity_id: row.entity_id,
    username: row.username,
    platform: row.platform,
    triggered_by: row.triggered_by,
    auto_shoutout: row.auto_shoutout,
    event_type: row.event_type,
    game_played: row.game_played,
    clip_url: row.clip_url,
    message: row.message,
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function listHistory(
  db: Kysely<ShoutoutDB>,
  communityId: string,
  limit: number,
): Promise<ShoutoutHistoryRow[]> {
  return db
    .selectFrom('shoutout_history')
    .selectAll()
    .where('community_id', '=', communityId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export async function historyStats(db: Kysely<ShoutoutDB>, communityId: string) {
  const row = await db
    .selectFrom('shoutout_history')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn.count<number>('username').distinct().as('unique_users'),
      eb.fn.min('created_at').as('first'),
      eb.fn.max('created_at').as('last'),
    ])
    .where('community_id', '=', communityId)
    .executeTakeFirstOrThrow();
  const iso = (v: unknown) => (v ? new Date(v as string | Date).toISOString() : null);
  return {
    total_shoutouts: Number(row.total),
    unique_users: Number(row.unique_users),
    first_shoutout: iso(row.first),
    last_shoutout: iso(row.last),
  };
}
