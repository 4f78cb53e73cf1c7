import { createHash, randomBytes } from 'node:crypto';
import { ConnectionError, type HttpClient } from '@waddlebot/core';
import { SpotifyFailure } from './spotify-errors.js';

export interface SpotifyAppCredentials {
  clientId?: string;
  clientSecret?: string;
  redirectUri: string;
  scopes: string;
}

/** What the accounts service grants; `refresh_token` is absent on most refreshes. */
export interface TokenGrant {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
}

/** Random url-safe text: 32 bytes for `state`, 48 bytes (64 chars) for the PKCE verifier. */
export const randomUrlSafe = (bytes: number) => randomBytes(bytes).toString('base64url');

export const codeChallengeOf = (verifier: string) =>
  createHash('sha256').update(verifier).digest('base64url');

/**
 * The Spotify accounts service (interaction-modules §9 OAuth): authorisation URL with PKCE S256,
 * code exchange and refresh, both with HTTP Basic client authentication.
 */
export class SpotifyAccounts {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: string,
    private readonly app: SpotifyAppCredentials,
  ) {}

  get configured(): boolean {
    return Boolean(this.app.clientId && this.app.clientSecret);
  }

  authorizeUrl(state: string, codeVerifier: string): string {
    const url = new URL(`${this.baseUrl}/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.app.clientId ?? '',
      scope: this.app.scopes,
      redirect_uri: this.app.redirectUri,
      state,
      show_dialog: 'true',
      code_challenge_method: 'S256',
      code_challenge: codeChallengeOf(codeVerifier),
    }).toString();
    return url.toString();
  }

  exchangeCode(code: string, codeVerifier: string): Promise<TokenGrant> {
    return this.grant({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.app.redirectUri,
      code_verifier: codeVerifier,
    });
  }

  /** Throws `not_connected` when Spotify says the refresh token is dead (invalid_grant). */
  refresh(refreshToken: string): Promise<TokenGrant> {
    return this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  private async grant(form: Record<string, string>): Promise<TokenGrant> {
    if (!this.configured) throw new SpotifyFailure('not_configured', 'client credentials unset');
    const basic = Buffer.from(`${this.app.clientId}:${this.app.clientSecret}`).toString('base64');
    let res;
    try {
      res = await this.http.post<Record<string, unknown>>('/api/token', new URLSearchParams(form), {
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      });
    } catch (err) {
      throw new SpotifyFailure(
        'unavailable',
        err instanceof ConnectionError ? err.message : 'token request failed',
      );
    }
    const body = typeof res.body === 'object' && res.body !== null ? res.body : {};
    if (!res.ok) {
      if (body.error === 'invalid_grant') throw new SpotifyFailure('not_connected', 'invalid_grant');
      throw new SpotifyFailure('unavailable', `accounts answered ${res.status}`);
    }
    const expiresIn = Number(body.expires_in);
    if (typeof body.access_token !== 'string' || !body.access_token || !Number.isFinite(expiresIn))
      throw new SpotifyFailure('unavailable', 'accounts answer without access_token/expires_in');
    return {
      access_token: body.access_token,
      refresh_token:
        typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : undefined,
      expires_in: expiresIn,
      scope: typeof body.scope === 'string' ? body.scope : '',
    };
  }
}
