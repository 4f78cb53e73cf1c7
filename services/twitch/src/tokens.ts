import { NotFoundError, type ServiceDeps } from '@waddlebot/core';
import { sql, type Kysely } from 'kysely';
import type { TwitchDB } from './db.js';
import type { OAuthTokenResponse, TwitchAuthApi } from './twitch-auth.js';
import type { TokenCipher } from '@waddlebot/core';

export interface UserToken {
  userId: string;
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[];
}

/** `twitch_tokens`: user tokens (broadcasters, the bot), encrypted at rest, refreshed when stale. */
export class UserTokenStore {
  constructor(
    private readonly deps: Pick<ServiceDeps<any, TwitchDB>, 'db' | 'clock'>,
    private readonly cipher: TokenCipher,
    private readonly auth: TwitchAuthApi,
  ) {}

  private get db(): Kysely<TwitchDB> {
    return this.deps.db;
  }

  async save(
    userId: string,
    login: string | null,
    token: OAuthTokenResponse,
    isBot: boolean,
  ): Promise<UserToken> {
    const now = this.deps.clock.now();
    const expiresAt = token.expires_in ? new Date(now.getTime() + token.expires_in * 1000) : null;
    const row = {
      user_id: userId,
      login,
      access_token: this.cipher.seal(token.access_token),
      refresh_token: token.refresh_token ? this.cipher.seal(token.refresh_token) : null,
      expires_at: expiresAt,
      scopes: JSON.stringify(token.scope ?? []) as unknown as string[],
      is_bot: isBot,
      created_at: now,
      updated_at: now,
    };
    await this.db
      .insertInto('twitch_tokens')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          login: (eb) => eb.fn.coalesce('excluded.login', 'twitch_tokens.login'),
          access_token: row.access_token,
          refresh_token: (eb) => eb.fn.coalesce('excluded.refresh_token', 'twitch_tokens.refresh_token'),
          expires_at: expiresAt,
          scopes: row.scopes,
          // Once the bot, always the bot: a later broadcaster-style login must not clear it.
          is_bot: sql<boolean>`twitch_tokens.is_bot or excluded.is_bot`,
          updated_at: now,
        }),
      )
      .execute();
    return {
      userId,
      accessToken: token.access_token,
      refreshToken: token.refresh_token ?? null,
      expiresAt,
      scopes: token.scope ?? [],
    };
  }

  async find(userId: string): Promise<UserToken | null> {
    const row = await this.db
      .selectFrom('twitch_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return null;
    return {
      userId,
      accessToken: this.cipher.open(row.access_token),
      refreshToken: row.refresh_token ? this.cipher.open(row.refresh_token) : null,
      expiresAt: row.expires_at,
      scopes: row.scopes ?? [],
    };
  }

  async require(userId: string): Promise<UserToken> {
    const token = await this.find(userId);
    if (!token) throw new NotFoundError('No tokens stored for this user');
    return token;
  }

  /** Grants a new access token from the stored refresh token. */
  async refresh(userId: string): Promise<UserToken> {
    const current = await this.require(userId);
    if (!current.refreshToken) throw new NotFoundError('No refresh token stored for this user');
    const fresh = await this.auth.refresh(current.refreshToken);
    const row = await this.db
      .selectFrom('twitch_tokens')
      .select(['login', 'is_bot'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return this.save(
      userId,
      row?.login ?? null,
      { ...fresh, scope: fresh.scope ?? current.scopes },
      row?.is_bot ?? false,
    );
  }

  /** A usable access token: refreshed first when it expires within a minute. */
  async fresh(userId: string): Promise<UserToken> {
    const token = await this.require(userId);
    if (
      token.expiresAt &&
      token.refreshToken &&
      token.expiresAt.getTime() - 60_000 <= this.deps.clock.nowMs()
    )
      return this.refresh(userId);
    return token;
  }

  async remove(userId: string): Promise<void> {
    await this.db.deleteFrom('twitch_tokens').where('user_id', '=', userId).execute();
  }
}
