import type { Clock } from '@waddlebot/core';
import type { Kysely, Selectable } from 'kysely';
import type { SpotifyDB, SpotifyOauthStatesTable } from './db.js';
import { randomUrlSafe } from './spotify-accounts.js';

/** A connect link is good for ten minutes (interaction-modules §9 OAuth step 1). */
export const STATE_TTL_SECONDS = 600;

export type OauthState = Selectable<SpotifyOauthStatesTable>;

/** A fresh single-use `state` with its PKCE verifier (64 url-safe chars). */
export async function createOauthState(
  deps: { db: Kysely<SpotifyDB>; clock: Clock },
  communityId: string,
  user: { key: string; name: string | null },
): Promise<OauthState> {
  const now = deps.clock.now();
  await deps.db
    .deleteFrom('spotify_oauth_states')
    .where('expires_at', '<', new Date(now.getTime() - STATE_TTL_SECONDS * 1000))
    .execute();
  return deps.db
    .insertInto('spotify_oauth_states')
    .values({
      state: randomUrlSafe(32),
      community_id: communityId,
      user_id: user.key,
      user_name: user.name,
      code_verifier: randomUrlSafe(48),
      created_at: now,
      expires_at: new Date(now.getTime() + STATE_TTL_SECONDS * 1000),
      used_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Marks the state used and returns it; null when unknown, expired or already used. */
export async function consumeOauthState(
  deps: { db: Kysely<SpotifyDB>; clock: Clock },
  state: string,
): Promise<OauthState | null> {
  const now = deps.clock.now();
  return (
    (await deps.db
      .updateTable('spotify_oauth_states')
      .set({ used_at: now })
      .where('state', '=', state)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst()) ?? null
  );
}
