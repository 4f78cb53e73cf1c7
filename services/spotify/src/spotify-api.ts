import { ConnectionError, type HttpClient, type HttpResponse } from '@waddlebot/core';
import type { TrackSummary } from './db.js';
import { SpotifyFailure } from './spotify-errors.js';
import type { TokenStore } from './token-store.js';

export interface PlaybackState {
  is_playing: boolean;
  progress_ms: number;
  track: TrackSummary | null;
}

export interface SpotifyDevice {
  name: string;
  type: string;
  is_active: boolean;
}

export interface SpotifyApiOptions {
  market: string;
  maxSearchResults: number;
}

/** Whether the last Spotify call reached a working Spotify; feeds `/readyz` `checks.upstream`. */
export class UpstreamHealth {
  lastFailed = false;
}

type Json = Record<string, any>;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A Web API track object (`tracks.items[]`, `/tracks/{id}`, `/me/player` `item`) as a summary. */
export function trackFromApi(item: unknown): TrackSummary | null {
  if (typeof item !== 'object' || item === null) return null;
  const t = item as Json;
  const uri = str(t.uri);
  if (!uri.startsWith('spotify:track:')) return null;
  const artists = Array.isArray(t.artists) ? t.artists.map((a: Json) => str(a?.name)).filter(Boolean) : [];
  const images = Array.isArray(t.album?.images) ? t.album.images : [];
  return {
    uri,
    id: str(t.id) || uri.slice('spotify:track:'.length),
    name: str(t.name) || 'Unknown track',
    artists,
    album: str(t.album?.name),
    album_art_url: str(images[0]?.url) || null,
    duration_ms: Number.isFinite(Number(t.duration_ms)) ? Math.max(0, Math.round(Number(t.duration_ms))) : 0,
    spotify_url: str(t.external_urls?.spotify) || `https://open.spotify.com/track/${str(t.id)}`,
    preview_url: str(t.preview_url) || null,
  };
}

/**
 * The Spotify Web API on the community's token (interaction-modules §9): a 401 refreshes the
 * token and retries once; 204 counts as success; other refusals become a SpotifyFailure.
 */
export class SpotifyApi {
  constructor(
    private readonly http: HttpClient,
    private readonly tokens: TokenStore,
    private readonly opts: SpotifyApiOptions,
    readonly health: UpstreamHealth,
  ) {}

  async search(
    communityId: string,
    query: string,
    limit = this.opts.maxSearchResults,
  ): Promise<TrackSummary[]> {
    const res = await this.call(communityId, 'GET', '/search', {
      query: {
        q: query,
        type: 'track',
        limit: Math.max(1, Math.min(limit, this.opts.maxSearchResults)),
        market: this.opts.market,
      },
    });
    const items = (res.body as Json)?.tracks?.items;
    return Array.isArray(items) ? items.map(trackFromApi).filter((t): t is TrackSummary => t !== null) : [];
  }

  /** The track, or null when Spotify answers without a readable one. */
  async track(communityId: string, id: string): Promise<TrackSummary | null> {
    const res = await this.call(communityId, 'GET', `/tracks/${encodeURIComponent(id)}`, {
      query: { market: this.opts.market },
    });
    return trackFromApi(res.body);
  }

  async play(communityId: string, uri: string): Promise<void> {
    await this.call(communityId, 'PUT', '/me/player/play', { body: { uris: [uri] } });
  }

  async resume(communityId: string): Promise<void> {
    await this.call(communityId, 'PUT', '/me/player/play');
  }

  async pause(communityId: string): Promise<void> {
    await this.call(communityId, 'PUT', '/me/player/pause');
  }

  async next(communityId: string): Promise<void> {
    await this.call(communityId, 'POST', '/me/player/next');
  }

  async enqueue(communityId: string, uri: string): Promise<void> {
    await this.call(communityId, 'POST', '/me/player/queue', { query: { uri } });
  }

  /** `GET /me/player`; null for 204 (nothing active). */
  async player(communityId: string): Promise<PlaybackState | null> {
    const res = await this.call(communityId, 'GET', '/me/player', { query: { market: this.opts.market } });
    if (res.status === 204 || typeof res.body !== 'object' || res.body === null) return null;
    const body = res.body as Json;
    return {
      is_playing: body.is_playing === true,
      progress_ms: Number.isFinite(Number(body.progress_ms))
        ? Math.max(0, Math.round(Number(body.progress_ms)))
        : 0,
      track: trackFromApi(body.item),
    };
  }

  async devices(communityId: string): Promise<SpotifyDevice[]> {
    const res = await this.call(communityId, 'GET', '/me/player/devices');
    const devices = (res.body as Json)?.devices;
    if (!Array.isArray(devices)) return [];
    return devices.map((d: Json) => ({
      name: str(d?.name) || 'Unknown device',
      type: str(d?.type) || 'Unknown',
      is_active: d?.is_active === true,
    }));
  }

  private async call(
    communityId: string,
    method: string,
    path: string,
    o: { query?: Record<string, string | number>; body?: unknown } = {},
  ): Promise<HttpResponse> {
    let token = await this.tokens.accessToken(communityId);
    let res = await this.send(method, path, token, o);
    if (res.status === 401) {
      token = await this.tokens.refresh(communityId, token);
      res = await this.send(method, path, token, o);
    }
    if (res.ok) {
      this.health.lastFailed = false;
      return res;
    }
    const failure = refusalOf(res);
    // Spotify refusing this account (no device, no Premium) says nothing about Spotify's health.
    this.health.lastFailed = failure.kind === 'unavailable';
    throw failure;
  }

  private async send(
    method: string,
    path: string,
    token: string,
    o: { query?: Record<string, string | number>; body?: unknown },
  ): Promise<HttpResponse> {
    try {
      return await this.http.request(path, {
        method,
        query: o.query,
        body: o.body,
        headers: { Authorization: `Bearer ${token}` },
      });
    } catch (err) {
      this.health.lastFailed = true;
      throw new SpotifyFailure(
        'unavailable',
        err instanceof ConnectionError ? err.message : 'request failed',
      );
    }
  }
}

function refusalOf(res: HttpResponse): SpotifyFailure {
  const error = (res.body as Json | undefined)?.error;
  const reason = typeof error === 'object' && error !== null ? str(error.reason) : '';
  if (res.status === 404 && reason === 'NO_ACTIVE_DEVICE')
    return new SpotifyFailure('no_active_device', reason);
  if (res.status === 403) return new SpotifyFailure('premium_required', reason || 'status 403');
  return new SpotifyFailure('unavailable', `status ${res.status}${reason ? ` ${reason}` : ''}`);
}
