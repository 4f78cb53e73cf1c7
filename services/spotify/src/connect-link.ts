import type { Clock } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { SpotifyDB } from './db.js';
import { createOauthState } from './oauth-states.js';
import type { SpotifyAccounts } from './spotify-accounts.js';
import { SpotifyFailure } from './spotify-errors.js';

export interface ConnectLink {
  auth_url: string;
  state: string;
  expires_at: string;
}

/** Starts the OAuth flow for a community: a stored single-use state and the authorisation URL. */
export async function createConnectLink(
  deps: { db: Kysely<SpotifyDB>; clock: Clock; accounts: SpotifyAccounts },
  communityId: string,
  user: { key: string; name: string | null },
): Promise<ConnectLink> {
  if (!deps.accounts.configured) throw new SpotifyFailure('not_configured', 'client credentials unset');
  const row = await createOauthState(deps, communityId, user);
  return {
    auth_url: deps.accounts.authorizeUrl(row.state, row.code_verifier),
    state: row.state,
    expires_at: row.expires_at.toISOString(),
  };
}
