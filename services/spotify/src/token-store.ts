import type { Clock, Logger } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { SpotifyDB } from './db.js';
import type { SpotifyAccounts, TokenGrant } from './spotify-accounts.js';
import { SpotifyFailure } from './spotify-errors.js';
import type { TokenCipher } from '@waddlebot/core';

export interface TokenStoreDeps {
  db: Kysely<SpotifyDB>;
  clock: Clock;
  cipher: TokenCipher;
  accounts: SpotifyAccounts;
  logger: Logger;
  /** Refresh when the token expires within this many seconds (TOKEN_REFRESH_BUFFER). */
  refreshBufferSeconds: number;
}

export interface ConnectionStatus {
  connected: boolean;
  connected_by: { user_id: string; name: string | null } | null;
  scope: string | null;
  expires_at: string | null;
}

/**
 * The community's Spotify token: stored sealed, refreshed lazily before expiry or after a 401.
 * Refreshes run under the row lock, so concurrent commands of one community refresh once.
 */
export class TokenStore {
  constructor(private readonly deps: TokenStoreDeps) {}

  async save(communityId: string, grant: TokenGrant, by: { userId: string; name: string | null }) {
    const now = this.deps.clock.now();
    if (!grant.refresh_token) throw new SpotifyFailure('unavailable', 'code exchange without refresh_token');
    const row = {
      connected_by_user_id: by.userId,
      connected_by_name: by.name,
      access_token: this.deps.cipher.seal(grant.access_token),
      refresh_token: this.deps.cipher.seal(grant.refresh_token),
      expires_at: new Date(now.getTime() + grant.expires_in * 1000),
      scope: grant.scope,
      updated_at: now,
    };
    await this.deps.db
      .insertInto('spotify_tokens')
      .values({ community_id: communityId, created_at: now, ...row })
      .onConflict((oc) => oc.column('community_id').doUpdateSet(row))
      .execute();
  }

  async remove(communityId: string): Promise<boolean> {
    const res = await this.deps.db
      .deleteFrom('spotify_tokens')
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async status(communityId: string): Promise<ConnectionStatus> {
    const row = await this.deps.db
      .selectFrom('spotify_tokens')
      .select(['connected_by_user_id', 'connected_by_name', 'scope', 'expires_at'])
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    if (!row) return { connected: false, connected_by: null, scope: null, expires_at: null };
    return {
      connected: true,
      connected_by: { user_id: row.connected_by_user_id, name: row.connected_by_name },
      scope: row.scope,
      expires_at: row.expires_at.toISOString(),
    };
  }

  async isConnected(communityId: string): Promise<boolean> {
    const row = await this.deps.db
      .selectFrom('spotify_tokens')
      .select('community_id')
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A usable access token; refreshes first when it is about to expire. */
  async accessToken(communityId: string): Promise<string> {
    const row = await this.deps.db
      .selectFrom('spotify_tokens')
      .select(['access_token', 'expires_at'])
      .where('community_id', '=', communityId)
      .executeTakeFirst();
    if (!row) throw new SpotifyFailure('not_connected', 'no token');
    if (!this.expiresSoon(row.expires_at)) return this.deps.cipher.open(row.access_token);
    return this.refresh(communityId, null);
  }

  /**
   * Refreshes the community's token. With `rejected` (the token Spotify just answered 401 to),
   * a token another request already refreshed is used as it is.
   */
  async refresh(communityId: string, rejected: string | null): Promise<string> {
    const outcome = await this.deps.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('spotify_tokens')
        .selectAll()
        .where('community_id', '=', communityId)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw new SpotifyFailure('not_connected', 'no token');
      const current = this.deps.cipher.open(row.access_token);
      const refreshedMeanwhile = rejected === null ? !this.expiresSoon(row.expires_at) : current !== rejected;
      if (refreshedMeanwhile) return { token: current };
      let grant: TokenGrant;
      try {
        grant = await this.deps.accounts.refresh(this.deps.cipher.open(row.refresh_token));
      } catch (err) {
        // A throw would roll the deletion back, so a revoked grant is returned, not thrown.
        if (err instanceof SpotifyFailure && err.kind === 'not_connected') {
          // Spotify revoked the grant: keeping the row would fail every command the same way.
          await trx.deleteFrom('spotify_tokens').where('community_id', '=', communityId).execute();
          return { revoked: err };
        }
        throw err;
      }
      const now = this.deps.clock.now();
      await trx
        .updateTable('spotify_tokens')
        .set({
          access_token: this.deps.cipher.seal(grant.access_token),
          ...(grant.refresh_token ? { refresh_token: this.deps.cipher.seal(grant.refresh_token) } : {}),
          expires_at: new Date(now.getTime() + grant.expires_in * 1000),
          ...(grant.scope ? { scope: grant.scope } : {}),
          updated_at: now,
        })
        .where('community_id', '=', communityId)
        .execute();
      return { token: grant.access_token };
    });
    if ('revoked' in outcome) {
      this.deps.logger.audit({ action: 'spotify_token_revoked', community: communityId, result: 'FAILURE' });
      throw outcome.revoked;
    }
    return outcome.token;
  }

  private expiresSoon(expiresAt: Date): boolean {
    return expiresAt.getTime() <= this.deps.clock.nowMs() + this.deps.refreshBufferSeconds * 1000;
  }
}
