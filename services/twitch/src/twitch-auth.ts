import { UpstreamError, type HttpClient, type ServiceDeps } from '@waddlebot/core';
import type { TwitchConfig } from './config.js';

export interface OAuthTokenResponse {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string[];
}

/** Twitch OAuth (`TWITCH_AUTH_BASE_URL`): token grants, validate, revoke. */
export class TwitchAuthApi {
  private readonly client: HttpClient;

  constructor(
    deps: Pick<ServiceDeps, 'httpClient'>,
    private readonly config: TwitchConfig,
  ) {
    this.client = deps.httpClient(config.TWITCH_AUTH_BASE_URL, { retries: 1 });
  }

  private async grant(params: Record<string, string>): Promise<OAuthTokenResponse> {
    const form = new URLSearchParams({
      client_id: this.config.TWITCH_CLIENT_ID ?? '',
      client_secret: this.config.TWITCH_CLIENT_SECRET ?? '',
      ...params,
    });
    let res;
    try {
      res = await this.client.post<OAuthTokenResponse>('/token', form, {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    } catch {
      throw new UpstreamError('Twitch authorization service unreachable');
    }
    if (!res.ok || typeof res.body?.access_token !== 'string')
      throw new UpstreamError(`Twitch token request failed (${res.status})`);
    return res.body;
  }

  clientCredentials() {
    return this.grant({ grant_type: 'client_credentials' });
  }
  authorizationCode(code: string) {
    return this.grant({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.config.TWITCH_REDIRECT_URI ?? '',
    });
  }
  refresh(refreshToken: string) {
    return this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** `GET /validate` with `Authorization: OAuth`; null when Twitch says the token is invalid. */
  async validate(accessToken: string): Promise<Record<string, unknown> | null> {
    const res = await this.client
      .get<Record<string, unknown>>('/validate', { headers: { Authorization: `OAuth ${accessToken}` } })
      .catch(() => {
        throw new UpstreamError('Twitch authorization service unreachable');
      });
    if (res.status === 401) return null;
    if (!res.ok) throw new UpstreamError(`Twitch validate failed (${res.status})`);
    return res.body;
  }

  async revoke(accessToken: string): Promise<void> {
    const form = new URLSearchParams({ client_id: this.config.TWITCH_CLIENT_ID ?? '', token: accessToken });
    const res = await this.client
      .post('/revoke', form, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
      .catch(() => {
        throw new UpstreamError('Twitch authorization service unreachable');
      });
    // 400 "Invalid token" means it is already dead: the row goes either way.
    if (!res.ok && res.status !== 400) throw new UpstreamError(`Twitch revoke failed (${res.status})`);
  }
}

/** The app access token (client credentials), cached until 60 s before it expires (§5.3). */
export class AppTokenSource {
  private cached?: { token: string; expiresAtMs: number };
  private pending?: Promise<string>;

  constructor(
    private readonly auth: TwitchAuthApi,
    private readonly nowMs: () => number,
  ) {}

  async get(): Promise<string> {
    if (this.cached && this.cached.expiresAtMs > this.nowMs()) return this.cached.token;
    // Concurrent callers share one token request.
    this.pending ??= this.auth
      .clientCredentials()
      .then((t) => {
        this.cached = {
          token: t.access_token,
          expiresAtMs: this.nowMs() + Math.max(0, (t.expires_in ?? 3600) - 60) * 1000,
        };
        return t.access_token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** After a 401: the next `get` asks for a fresh token. */
  invalidate(token: string) {
    if (this.cached?.token === token) this.cached = undefined;
  }
}
