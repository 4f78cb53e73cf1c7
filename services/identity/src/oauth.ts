import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ConflictError,
  ConnectionError,
  ForbiddenError,
  UpstreamError,
  ValidationError,
  type HttpClient,
  type Platform,
} from '@waddlebot/core';
import { sql } from 'kysely';
import { recordActivity } from './activity.js';
import type { IdentityDb } from './db.js';
import type { IdentityConfig, IdentityDeps } from './identity-deps.js';
import { mergeSingleIdentityUser } from './linking.js';
import { freeUsername, insertUser, ownerOfAccount, uidOf } from './users.js';

export interface OAuthProvider {
  name: Platform;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizeUrl: string;
  scope: string;
}

const SCOPES: Record<Platform, string> = {
  twitch: 'user:read:email',
  discord: 'identify email',
  slack: 'identity.basic identity.email',
};

/** A provider is on when its id and secret are set and neither switch turns it off (§3.4). */
export function enabledProvider(config: IdentityConfig, name: string): OAuthProvider | undefined {
  if (!config.ENABLE_OAUTH_PROVIDERS) return undefined;
  const settings = {
    twitch: {
      on: config.ENABLE_TWITCH_OAUTH,
      id: config.TWITCH_OAUTH_CLIENT_ID,
      secret: config.TWITCH_OAUTH_CLIENT_SECRET,
      redirect: config.TWITCH_OAUTH_REDIRECT_URI,
      authorize: config.TWITCH_OAUTH_AUTHORIZE_URL,
    },
    discord: {
      on: config.ENABLE_DISCORD_OAUTH,
      id: config.DISCORD_OAUTH_CLIENT_ID,
      secret: config.DISCORD_OAUTH_CLIENT_SECRET,
      redirect: config.DISCORD_OAUTH_REDIRECT_URI,
      authorize: config.DISCORD_OAUTH_AUTHORIZE_URL,
    },
    slack: {
      on: config.ENABLE_SLACK_OAUTH,
      id: config.SLACK_OAUTH_CLIENT_ID,
      secret: config.SLACK_OAUTH_CLIENT_SECRET,
      redirect: config.SLACK_OAUTH_REDIRECT_URI,
      authorize: config.SLACK_OAUTH_AUTHORIZE_URL,
    },
  }[name as Platform];
  if (!settings?.on || !settings.id || !settings.secret) return undefined;
  return {
    name: name as Platform,
    clientId: settings.id,
    clientSecret: settings.secret,
    redirectUri: settings.redirect ?? `${config.IDENTITY_URL}/auth/oauth/${name}/callback`,
    authorizeUrl: settings.authorize,
    scope: SCOPES[name as Platform],
  };
}

export function authorizeRedirect(provider: OAuthProvider, state: string): string {
  const url = new URL(provider.authorizeUrl);
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', provider.redirectUri);
  url.searchParams.set('response_type', 'code');
  // Slack's "Sign in with Slack" identity scopes are user scopes.
  url.searchParams.set(provider.name === 'slack' ? 'user_scope' : 'scope', provider.scope);
  url.searchParams.set('state', state);
  return url.toString();
}

export interface OAuthState {
  state: string;
  provider: string;
  user_id: string | null;
  redirect: string | null;
  exp: number;
}

export const OAUTH_STATE_COOKIE = 'wbot_oauth_state';

export function newStateValue(): string {
  return randomBytes(32).toString('base64url');
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** The state travels in a signed cookie instead of a table (§3.4: oauth_sessions dropped). */
export function sealState(state: OAuthState, secret: string): string {
  const payload = Buffer.from(JSON.stringify(state)).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

export function openState(cookie: string | undefined, secret: string, now: Date): OAuthState | null {
  if (!cookie) return null;
  const [payload, mac] = cookie.split('.');
  if (!payload || !mac) return null;
  const expected = Buffer.from(sign(payload, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const state = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as OAuthState;
    return state.exp > now.getTime() ? state : null;
  } catch {
    return null;
  }
}

export interface ProviderProfile {
  id: string;
  login: string;
  displayName: string | null;
  email: string | null;
  /** Only a provider-verified address may link to an existing account (§3.4 step 3). */
  emailVerified: boolean;
  avatarUrl: string | null;
  raw: Record<string, unknown>;
}

export interface OAuthClients {
  twitchAuth: HttpClient;
  twitchApi: HttpClient;
  discordApi: HttpClient;
  slackApi: HttpClient;
}

async function callProvider<T>(op: () => Promise<{ ok: boolean; status: number; body: T }>): Promise<T> {
  let res: { ok: boolean; status: number; body: T };
  try {
    res = await op();
  } catch (err) {
    if (err instanceof ConnectionError) throw new UpstreamError('OAuth provider unreachable');
    throw err;
  }
  if (!res.ok) throw new ValidationError('OAuth provider rejected the request');
  return res.body;
}

/** Exchanges the code and reads the account (token and user info through the *_BASE_URL clients). */
export async function fetchProviderProfile(
  clients: OAuthClients,
  provider: OAuthProvider,
  code: string,
): Promise<ProviderProfile> {
  const form = new URLSearchParams({
    client_id: provider.clientId,
    client_secret: provider.clientSecret,
    code,
    grant_type: 'authorization_code',
    redirect_uri: provider.redirectUri,
  });
  const formHeaders = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
  const noRetry = { retries: 0 };
  /** Twitch and Discord answer the code exchange with `{ access_token }`. */
  const exchangeForAccessToken = async (client: HttpClient, path: string): Promise<string> => {
    const token = await callProvider(() =>
      client.post<{ access_token?: string }>(path, form, { headers: formHeaders, ...noRetry }),
    );
    if (!token?.access_token) throw new ValidationError('OAuth provider returned no access token');
    return token.access_token;
  };
  if (provider.name === 'twitch') {
    const accessToken = await exchangeForAccessToken(clients.twitchAuth, '/token');
    const info = await callProvider(() =>
      clients.twitchApi.get<{ data?: Record<string, unknown>[] }>('/users', {
        headers: { Authorization: `Bearer ${accessToken}`, 'Client-ID': provider.clientId },
      }),
    );
    const u = info?.data?.[0];
    if (!u || typeof u.id !== 'string') throw new ValidationError('OAuth provider returned no user');
    const email = typeof u.email === 'string' && u.email ? u.email : null;
    return {
      id: u.id,
      login: String(u.login ?? u.id),
      displayName: typeof u.display_name === 'string' ? u.display_name : null,
      email,
      // Helix only returns the address with user:read:email once Twitch has verified it.
      emailVerified: email !== null,
      avatarUrl: typeof u.profile_image_url === 'string' ? u.profile_image_url : null,
      raw: u,
    };
  }
  if (provider.name === 'discord') {
    const accessToken = await exchangeForAccessToken(clients.discordApi, '/oauth2/token');
    const u = await callProvider(() =>
      clients.discordApi.get<Record<string, unknown>>('/users/@me', {
        headers: { Authorization: `Bearer ${accessToken}` },
      }),
    );
    if (!u || typeof u.id !== 'string') throw new ValidationError('OAuth provider returned no user');
    const email = typeof u.email === 'string' && u.email ? u.email : null;
    return {
      id: u.id,
      login: String(u.username ?? u.id),
      displayName: typeof u.global_name === 'string' ? u.global_name : null,
      email,
      emailVerified: email !== null && u.verified === true,
      avatarUrl:
        typeof u.avatar === 'string' ? `https://cdn.discordapp.com/avatars/${u.id}/${u.avatar}.png` : null,
      raw: u,
    };
  }
  const token = await callProvider(() =>
    clients.slackApi.post<{ ok?: boolean; authed_user?: { access_token?: string }; access_token?: string }>(
      '/oauth.v2.access',
      form,
      { headers: formHeaders, ...noRetry },
    ),
  );
  const accessToken = token?.authed_user?.access_token ?? token?.access_token;
  if (!token?.ok || !accessToken) throw new ValidationError('OAuth provider returned no access token');
  const info = await callProvider(() =>
    clients.slackApi.get<{ ok?: boolean; user?: Record<string, unknown>; team?: Record<string, unknown> }>(
      '/users.identity',
      { headers: { Authorization: `Bearer ${accessToken}` } },
    ),
  );
  const u = info?.user;
  if (!info?.ok || !u || typeof u.id !== 'string')
    throw new ValidationError('OAuth provider returned no user');
  const email = typeof u.email === 'string' && u.email ? u.email : null;
  return {
    id: u.id,
    login: String(u.name ?? u.id),
    displayName: typeof u.name === 'string' ? u.name : null,
    email,
    // Slack accounts cannot sign in before their address is confirmed.
    emailVerified: email !== null,
    avatarUrl:
      typeof u.image_192 === 'string' ? u.image_192 : typeof u.image_72 === 'string' ? u.image_72 : null,
    raw: { user: u, team: info.team ?? null },
  };
}

type Resolution =
  | { kind: 'user'; userId: number; mergedFrom: number | null }
  | { kind: 'conflict'; message: string }
  | { kind: 'inactive' };

/**
 * Callback resolution of §3.4. A flow started by a logged-in user links to that user first (a
 * single-identity first-sight owner is merged, §3.2 step 8), so linking a chat account that
 * identity has already seen works; otherwise the existing owner logs in, then a verified e-mail
 * links, else a new user is created.
 */
export async function completeOAuth(
  deps: IdentityDeps,
  provider: Platform,
  profile: ProviderProfile,
  loggedInUserId: number | null,
): Promise<{ userId: number; mergedFrom: number | null }> {
  const now = deps.clock.now();
  const login = profile.login.slice(0, 128);
  const result = await deps.db.transaction().execute(async (trx): Promise<Resolution> => {
    const owner = await ownerOfAccount(trx, provider, profile.id);
    let userId: number;
    let mergedFrom: number | null = null;
    if (loggedInUserId !== null) {
      const me = await trx
        .selectFrom('auth_user')
        .select(['id', 'email'])
        .where('id', '=', loggedInUserId)
        .where('is_active', '=', true)
        .forUpdate()
        .executeTakeFirst();
      if (!me) return { kind: 'conflict', message: 'The signed-in account is no longer active' };
      userId = me.id;
      if (owner && owner.userId !== me.id) {
        const owned = await countIdentities(trx, owner.userId);
        if (owned > 1)
          return { kind: 'conflict', message: 'This account is already linked to another WaddleBot user' };
        mergedFrom = owner.userId;
        await mergeSingleIdentityUser(deps, trx, {
          fromId: owner.userId,
          intoId: me.id,
          intoEmail: me.email,
          identities: [{ platform: provider, platform_user_id: profile.id }],
          at: now,
        });
      }
    } else if (owner) {
      const active = await trx
        .selectFrom('auth_user')
        .select('id')
        .where('id', '=', owner.userId)
        .where('is_active', '=', true)
        .executeTakeFirst();
      // A deactivated user signs in neither by password nor through a provider.
      if (!active) return { kind: 'inactive' };
      userId = owner.userId;
    } else {
      const byEmail =
        profile.email && profile.emailVerified
          ? await trx
              .selectFrom('auth_user')
              .select('id')
              .where(sql`lower(email)`, '=', profile.email.toLowerCase())
              .where('is_active', '=', true)
              .executeTakeFirst()
          : undefined;
      userId = byEmail ? byEmail.id : await createOAuthUser(trx, provider, profile, now);
    }
    const other = await trx
      .selectFrom('platform_identities')
      .select(['id', 'platform_id'])
      .where('user_id', '=', userId)
      .where('platform', '=', provider)
      .executeTakeFirst();
    if (other && other.platform_id !== profile.id)
      return { kind: 'conflict', message: `That WaddleBot user already has a linked ${provider} account` };
    if (owner) {
      await trx
        .updateTable('platform_identities')
        .set({
          user_id: userId,
          platform_username: login,
          is_verified: true,
          verified_at: now,
          verification_method: 'oauth',
          updated_at: now,
        })
        .where('id', '=', owner.identityId)
        .execute();
    } else if (other) {
      await trx
        .updateTable('platform_identities')
        .set({
          platform_username: login,
          is_verified: true,
          verified_at: now,
          verification_method: 'oauth',
          updated_at: now,
        })
        .where('id', '=', other.id)
        .execute();
    } else {
      await trx
        .insertInto('platform_identities')
        .values({
          user_id: userId,
          platform: provider,
          platform_id: profile.id,
          platform_username: login,
          is_verified: true,
          verified_at: now,
          verification_method: 'oauth',
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    const cache = {
      user_id: userId,
      provider_username: login,
      provider_email: profile.email,
      provider_display_name: profile.displayName?.slice(0, 128) ?? null,
      provider_avatar_url: profile.avatarUrl,
      raw_user_data: JSON.stringify(profile.raw),
      last_updated: now,
      is_active: true,
    };
    await trx
      .insertInto('oauth_user_cache')
      .values({ provider, provider_user_id: profile.id, ...cache })
      .onConflict((oc) => oc.columns(['provider', 'provider_user_id']).doUpdateSet(cache))
      .execute();
    await trx
      .updateTable('auth_user')
      .set({ last_login_at: now, login_count: sql`login_count + 1` })
      .where('id', '=', userId)
      .execute();
    await recordActivity(trx, {
      userId,
      action: 'oauth_login',
      platform: provider,
      platformUsername: login,
      success: true,
      metadata: mergedFrom ? { merged_uid: uidOf(mergedFrom) } : {},
      at: now,
    });
    return { kind: 'user', userId, mergedFrom };
  });
  if (result.kind === 'conflict') throw new ConflictError(result.message);
  if (result.kind === 'inactive') {
    deps.logger.auth({ action: 'oauth_login', result: 'FAILURE', reason: 'inactive', platform: provider });
    throw new ForbiddenError('This account is deactivated');
  }
  if (result.mergedFrom !== null) deps.mergeNotifier.kick();
  deps.logger.audit({
    action: 'oauth_login',
    user: uidOf(result.userId),
    result: 'SUCCESS',
    platform: provider,
  });
  return { userId: result.userId, mergedFrom: result.mergedFrom };
}

async function countIdentities(trx: IdentityDb, userId: number): Promise<number> {
  const row = await trx
    .selectFrom('platform_identities')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('is_verified', '=', true)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function createOAuthUser(trx: IdentityDb, provider: Platform, profile: ProviderProfile, now: Date) {
  const username = await freeUsername(trx, profile.login);
  const emailFree =
    profile.email &&
    !(await trx
      .selectFrom('auth_user')
      .select('id')
      .where(sql`lower(email)`, '=', profile.email.toLowerCase())
      .executeTakeFirst());
  const placeholder = `${username.toLowerCase()}@${provider}.oauth`;
  const placeholderFree = !(await trx
    .selectFrom('auth_user')
    .select('id')
    .where(sql`lower(email)`, '=', placeholder)
    .executeTakeFirst());
  // No address at all beats a unique-index failure on a placeholder someone registered by hand.
  const email = emailFree ? profile.email! : placeholderFree ? placeholder : null;
  return insertUser(
    trx,
    {
      username,
      email,
      password_hash: null,
      display_name: profile.displayName?.slice(0, 128) ?? profile.login.slice(0, 128),
      primary_platform: provider,
    },
    now,
  );
}
