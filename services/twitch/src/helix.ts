import {
  NotFoundError,
  UpstreamError,
  notConfiguredError,
  platformRequest,
  type HttpClient,
  type HttpResponse,
  type RequestOptions,
  type ServiceDeps,
} from '@waddlebot/core';
import { missingTwitchConfig, type TwitchConfig } from './config.js';
import type { AppTokenSource } from './twitch-auth.js';
import type { UserTokenStore } from './tokens.js';

export interface HelixUser {
  id: string;
  login: string;
  display_name: string;
}

/**
 * Helix (`TWITCH_API_BASE_URL`) with the right token per call: the cached app token, or the bot's
 * user token from `twitch_tokens` (whispers, deletes). A 401 refreshes the token once and retries.
 */
export class Helix {
  private readonly client: HttpClient;

  constructor(
    deps: Pick<ServiceDeps, 'httpClient'>,
    private readonly config: TwitchConfig,
    private readonly appTokens: AppTokenSource,
    private readonly userTokens: UserTokenStore,
  ) {
    this.client = deps.httpClient(config.TWITCH_API_BASE_URL, { retries: 0 });
  }

  private ensureConfigured() {
    const missing = missingTwitchConfig(this.config, 'api');
    if (missing.length > 0) throw notConfiguredError('twitch', missing);
  }

  private send<T>(path: string, opts: RequestOptions, token: string): Promise<HttpResponse<T>> {
    return platformRequest<T>(
      this.client,
      path,
      {
        ...opts,
        headers: {
          ...opts.headers,
          Authorization: `Bearer ${token}`,
          'Client-Id': this.config.TWITCH_CLIENT_ID ?? '',
        },
      },
      { unreachable: 'Twitch API unreachable' },
    );
  }

  /** A Helix call with the app access token. */
  async asApp<T = any>(path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    this.ensureConfigured();
    const token = await this.appTokens.get();
    const res = await this.send<T>(path, opts, token);
    if (res.status !== 401) return res;
    this.appTokens.invalidate(token);
    return this.send<T>(path, opts, await this.appTokens.get());
  }

  /** A Helix call with a user's token (the bot's for whispers and deletes). */
  async asUser<T = any>(userId: string, path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    this.ensureConfigured();
    const token = await this.userTokens.fresh(userId);
    const res = await this.send<T>(path, opts, token.accessToken);
    if (res.status !== 401 || !token.refreshToken) return res;
    const refreshed = await this.userTokens.refresh(userId);
    return this.send<T>(path, opts, refreshed.accessToken);
  }

  /** The bot's id, required for chat, whispers and deletes. */
  botUserId(): string {
    if (!this.config.TWITCH_BOT_USER_ID) throw notConfiguredError('twitch', ['TWITCH_BOT_USER_ID']);
    return this.config.TWITCH_BOT_USER_ID;
  }

  /** `GET /users?login=`; 404 when Twitch knows no such login. */
  async userByLogin(login: string): Promise<HelixUser> {
    const res = await this.asApp<{ data?: HelixUser[] }>('/users', {
      query: { login: login.replace(/^@/, '').toLowerCase() },
    });
    if (!res.ok) throw new UpstreamError(`Twitch user lookup failed (${res.status})`);
    const user = res.body?.data?.[0];
    if (!user) throw new NotFoundError('Twitch user not found');
    return user;
  }

  /** `GET /users` with a user token: who that token belongs to. */
  async userOfToken(accessToken: string): Promise<HelixUser> {
    const res = await this.send<{ data?: HelixUser[] }>('/users', {}, accessToken);
    const user = res.body?.data?.[0];
    if (!res.ok || !user) throw new UpstreamError(`Twitch user lookup failed (${res.status})`);
    return user;
  }
}
