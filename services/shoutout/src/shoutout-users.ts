import { ValidationError, type Clock } from '@waddlebot/core';
import type { Kysely, Transaction } from 'kysely';
import type { ShoutoutDB, ShoutoutUserRow } from './db.js';

type Db = Kysely<ShoutoutDB> | Transaction<ShoutoutDB>;

export const TWITCH_LOGIN = /^[a-z0-9_]{1,25}$/;
export const MAX_LINKS = 10;

/** `@Streamer1` → `streamer1`; null when it cannot be a Twitch login. */
export function normaliseLogin(raw: string): string | null {
  const login = raw.trim().replace(/^@/, '').toLowerCase();
  return TWITCH_LOGIN.test(login) ? login : null;
}

export interface ShoutoutUserView {
  username: string;
  platform: string;
  profile_url: string | null;
  last_game: string | null;
  custom_message: string | null;
  additional_links: Record<string, string>;
  auto_shoutout: boolean;
  shoutout_count: number;
  last_shoutout: string | null;
  created_at: string;
  updated_at: string;
}

export function userView(row: ShoutoutUserRow): ShoutoutUserView {
  return {
    username: row.username,
    platform: row.platform,
    profile_url: row.profile_url,
    last_game: row.last_game,
    custom_message: row.custom_message,
    additional_links: row.additional_links ?? {},
    auto_shoutout: row.auto_shoutout,
    shoutout_count: row.shoutout_count,
    last_shoutout: row.last_shoutout ? new Date(row.last_shoutout).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

/** The community's Twitch creators; the one platform shoutouts look targets up on. */
function creatorsOf(db: Db, communityId: string) {
  return db
    .selectFrom('shoutout_users')
    .selectAll()
    .where('community_id', '=', communityId)
    .where('platform', '=', 'twitch');
}

export function listUsers(db: Db, communityId: string): Promise<ShoutoutUserRow[]> {
  return creatorsOf(db, communityId).where('is_active', '=', true).orderBy('username').execute();
}

export function findUser(
  db: Db,
  communityId: string,
  username: string,
): Promise<ShoutoutUserRow | undefined> {
  return creatorsOf(db, communityId).where('username', '=', username).executeTakeFirst();
}

/** Creates the row if the target has none yet; the first creator is kept. */
export async function ensureUser(
  db: Db,
  communityId: string,
  username: string,
  createdBy: string | null,
  now: Date,
) {
  await db
    .insertInto('shoutout_users')
    .values({
      community_id: communityId,
      username,
      platform: 'twitch',
      additional_links: '{}',
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['community_id', 'platform', 'username']).doNothing())
    .execute();
}

export interface UserSettings {
  auto_shoutout?: boolean;
  custom_message?: string | null;
  /** Merged into the stored links; a null value removes that label. */
  additional_links?: Record<string, string | null>;
}

export async function upsertUserSettings(
  db: Kysely<ShoutoutDB>,
  communityId: string,
  username: string,
  settings: UserSettings,
  actor: string | null,
  clock: Clock,
): Promise<ShoutoutUserRow> {
  return db.transaction().execute(async (trx) => {
    const now = clock.now();
    await ensureUser(trx, communityId, username, actor, now);
    const current = await creatorsOf(trx, communityId)
      .where('username', '=', username)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const links: Record<string, string> = { ...(current.additional_links ?? {}) };
    for (const [label, url] of Object.entries(settings.additional_links ?? {})) {
      if (url === null) delete links[label];
      else links[label] = url;
    }
    if (Object.keys(links).length > MAX_LINKS) {
      throw new ValidationError('Too many links', [
        { path: 'additional_links', message: `at most ${MAX_LINKS} links` },
      ]);
    }
    return trx
      .updateTable('shoutout_users')
      .set({
        ...(settings.auto_shoutout !== undefined ? { auto_shoutout: settings.auto_shoutout } : {}),
        ...(settings.custom_message !== undefined ? { custom_message: settings.custom_message } : {}),
        additional_links: JSON.stringify(links),
        is_active: true,
        updated_at: now,
      })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

/**
 * Claims a shoutout of `username`: counts it and stamps `last_shoutout`, unless one happened within
 * `cooldownMinutes` (null = ignore the cooldown, as a manual !so does). One conditional UPDATE, so
 * two raids arriving together fire once.
 */
export async function claimShoutout(
  db: Db,
  communityId: string,
  username: string,
  now: Date,
  cooldownMinutes: number | null,
): Promise<ShoutoutUserRow | undefined> {
  let q = db
    .updateTable('shoutout_users')
    .set((eb) => ({ shoutout_count: eb('shoutout_count', '+', 1), last_shoutout: now, updated_at: now }))
    .where('community_id', '=', communityId)
    .where('platform', '=', 'twitch')
    .where('username', '=', username);
  if (cooldownMinutes !== null) {
    const cutoff = new Date(now.getTime() - cooldownMinutes * 60_000);
    q = q.where((eb) => eb.or([eb('last_shoutout', 'is', null), eb('last_shoutout', '<=', cutoff)]));
  }
  return q.returningAll().executeTakeFirst();
}

export async function rememberChannel(db: Db, id: number, profileUrl: string, lastGame: string | null) {
  await db
    .updateTable('shoutout_users')
    .set({ profile_url: profileUrl, ...(lastGame ? { last_game: lastGame } : {}) })
    .where('id', '=', id)
    .execute();
}
