import {
  UpstreamBreaker,
  type Clock,
  type HttpClient,
  type HttpResponse,
  type Logger,
} from '@waddlebot/core';

export interface TwitchUser {
  id: string;
  login: string;
  display_name: string;
  profile_image_url: string | null;
  description: string | null;
  broadcaster_type: string | null;
}

export interface TwitchClip {
  id: string;
  url: string;
  embed_url: string;
  title: string;
}

export interface TwitchChannelInfo {
  user: TwitchUser;
  game_name: string | null;
  title: string | null;
  live: boolean;
  viewer_count: number | null;
  clip: TwitchClip | null;
}

export type ChannelLookup =
  | { status: 'found'; channel: TwitchChannelInfo }
  | { status: 'not_found' }
  /** Credentials missing, Helix failing or its breaker open: callers fall back to a text card. */
  | { status: 'degraded'; reason: 'not_configured' | 'upstream' | 'breaker_open' };

export interface TwitchHelixOptions {
  api: HttpClient;
  auth: HttpClient;
  clientId?: string;
  clientSecret?: string;
  /** A fixed token (TWITCH_ACCESS_TOKEN); an app token is fetched when it is unset or rejected. */
  accessToken?: string;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  breakerThreshold?: number;
  breakerOpenMs?: number;
}

class HelixFailure extends Error {
  constructor(readonly status: number) {
    super(`helix answered ${status}`);
  }
}

const CLIP_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Refresh an app token this long before Twitch says it expires. */
const TOKEN_MARGIN_MS = 60_000;

/**
 * Twitch Helix look-ups for shoutouts (interaction-modules §4): app token by client credentials,
 * cached until it expires and refreshed once on a 401; a breaker skips Helix for a while after
 * consecutive failures so chat answers stay fast while Twitch is down.
 */
export class TwitchHelix {
  private appToken: { value: string; expiresAtMs: number } | null = null;
  private tokenInFlight: Promise<string> | null = null;
  private staticTokenRejected = false;
  private readonly breaker: UpstreamBreaker;

  constructor(private readonly opts: TwitchHelixOptions) {
    this.breaker = new UpstreamBreaker({
      upstream: 'twitch helix',
      clock: opts.clock,
      logger: opts.logger,
      threshold: opts.breakerThreshold,
      openMs: opts.breakerOpenMs,
    });
  }

  get configured(): boolean {
    return Boolean(this.opts.clientId && (this.opts.accessToken || this.opts.clientSecret));
  }

  get breakerOpen(): boolean {
    return this.breaker.open;
  }

  async lookupChannel(login: string): Promise<ChannelLookup> {
    if (!this.configured) return { status: 'degraded', reason: 'not_configured' };
    if (this.breakerOpen) return { status: 'degraded', reason: 'breaker_open' };
    let user: TwitchUser | undefined;
    try {
      const users = await this.get<{ data?: Record<string, unknown>[] }>('/users', { login });
      const raw = users.data?.[0];
      if (!raw) {
        this.breaker.recordSuccess();
        return { status: 'not_found' };
      }
      user = toUser(raw, login);
    } catch (err) {
      this.breaker.recordFailure(describe(err));
      return { status: 'degraded', reason: 'upstream' };
    }
    const startedAt = new Date(this.opts.clock.nowMs() - CLIP_WINDOW_MS).toISOString();
    // Details are optional: a failing one only leaves its part of the card empty.
    const [channel, stream, clips] = await Promise.all([
      this.optional(() =>
        this.get<{ data?: Record<string, unknown>[] }>('/channels', { broadcaster_id: user.id }),
      ),
      this.optional(() => this.get<{ data?: Record<string, unknown>[] }>('/streams', { user_id: user.id })),
      this.optional(() =>
        this.get<{ data?: Record<string, unknown>[] }>('/clips', {
          broadcaster_id: user.id,
          first: 20,
          started_at: startedAt,
        }),
      ),
    ]);
    this.breaker.recordSuccess();
    const live = stream?.data?.[0];
    const info = channel?.data?.[0];
    const clipList = (clips?.data ?? []).map(toClip).filter((c): c is TwitchClip => c !== null);
    const random = this.opts.random ?? Math.random;
    return {
      status: 'found',
      channel: {
        user,
        game_name: str(live?.game_name) ?? str(info?.game_name),
        title: str(live?.title) ?? str(info?.title),
        live: Boolean(live),
        viewer_count: live && typeof live.viewer_count === 'number' ? live.viewer_count : null,
        clip: clipList.length > 0 ? clipList[Math.floor(random() * clipList.length)]! : null,
      },
    };
  }

  private async optional<T>(work: () => Promise<T>): Promise<T | null> {
    try {
      return await work();
    } catch (err) {
      this.opts.logger.warn('twitch helix detail failed', { error: describe(err) });
      return null;
    }
  }

  private async get<T>(path: string, query: Record<string, string | number>): Promise<T> {
    let token = await this.token();
    let res = await this.send<T>(path, query, token);
    if (res.status === 401 && this.canFetchAppToken()) {
      this.dropToken(token);
      token = await this.token();
      res = await this.send<T>(path, query, token);
    }
    if (!res.ok) throw new HelixFailure(res.status);
    return res.body;
  }

  private send<T>(
    path: string,
    query: Record<string, string | number>,
    token: string,
  ): Promise<HttpResponse<T>> {
    return this.opts.api.get<T>(path, {
      query,
      headers: { 'Client-ID': this.opts.clientId!, Authorization: `Bearer ${token}` },
    });
  }

  private canFetchAppToken(): boolean {
    return Boolean(this.opts.clientSecret);
  }

  private dropToken(token: string) {
    if (token === this.opts.accessToken) this.staticTokenRejected = true;
    if (this.appToken?.value === token) this.appToken = null;
  }

  private async token(): Promise<string> {
    if (this.opts.accessToken && !this.staticTokenRejected) return this.opts.accessToken;
    if (this.appToken && this.opts.clock.nowMs() < this.appToken.expiresAtMs) return this.appToken.value;
    // Concurrent look-ups share one token request.
    this.tokenInFlight ??= this.fetchAppToken().finally(() => {
      this.tokenInFlight = null;
    });
    return this.tokenInFlight;
  }

  private async fetchAppToken(): Promise<string> {
    if (!this.opts.clientSecret) throw new HelixFailure(401);
    const res = await this.opts.auth.post<{ access_token?: unknown; expires_in?: unknown }>(
      '/token',
      undefined,
      {
        query: {
          client_id: this.opts.clientId!,
          client_secret: this.opts.clientSecret,
          grant_type: 'client_credentials',
        },
      },
    );
    const value = res.body?.access_token;
    if (!res.ok || typeof value !== 'string' || value === '') throw new HelixFailure(res.status);
    const expiresIn = typeof res.body.expires_in === 'number' ? res.body.expires_in : 3600;
    this.appToken = {
      value,
      expiresAtMs: this.opts.clock.nowMs() + Math.max(0, expiresIn * 1000 - TOKEN_MARGIN_MS),
    };
    return value;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function toUser(raw: Record<string, unknown>, login: string): TwitchUser {
  const userLogin = str(raw.login)?.toLowerCase() ?? login;
  return {
    id: String(raw.id ?? ''),
    login: userLogin,
    display_name: str(raw.display_name) ?? userLogin,
    profile_image_url: str(raw.profile_image_url),
    description: str(raw.description),
    broadcaster_type: str(raw.broadcaster_type),
  };
}

function toClip(raw: Record<string, unknown>): TwitchClip | null {
  const embed = str(raw.embed_url);
  if (!embed) return null;
  return {
    id: String(raw.id ?? ''),
    url: str(raw.url) ?? embed,
    embed_url: embed,
    title: str(raw.title) ?? '',
  };
}

/** Error summaries for logs: never a token or URL with credentials. */
function describe(err: unknown): string {
  if (err instanceof HelixFailure) return err.message;
  return err instanceof Error ? err.name : 'unknown';
}
