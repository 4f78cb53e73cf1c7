import { escapeHtml, type App, type Clock, type Logger } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { SpotifyDB } from '../db.js';
import { consumeOauthState } from '../oauth-states.js';
import type { SpotifyAccounts } from '../spotify-accounts.js';
import { SpotifyFailure } from '../spotify-errors.js';
import type { TokenStore } from '../token-store.js';

export interface AuthCallbackDeps {
  db: Kysely<SpotifyDB>;
  clock: Clock;
  logger: Logger;
  accounts: SpotifyAccounts;
  tokens: TokenStore;
}

function page(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

/**
 * `GET /spotify/auth/callback` (interaction-modules §9 OAuth step 2): the browser lands here from
 * Spotify, so there is no service key; the single-use `state` is the only credential.
 */
export function mountAuthCallback(app: App, deps: AuthCallbackDeps) {
  app.get('/spotify/auth/callback', async (c) => {
    const { code, state, error } = c.req.query();
    if (error) {
      if (state) await consumeOauthState(deps, state);
      return c.html(page('Spotify not connected', `Spotify reported an error: ${error.slice(0, 200)}`), 400);
    }
    if (!code || !state)
      return c.html(page('Spotify not connected', 'The code or state parameter is missing.'), 400);
    const row = await consumeOauthState(deps, state);
    if (!row)
      return c.html(
        page('Spotify not connected', 'This link is invalid or expired state; run !spotify connect again.'),
        400,
      );
    try {
      const grant = await deps.accounts.exchangeCode(code, row.code_verifier);
      await deps.tokens.save(row.community_id, grant, { userId: row.user_id, name: row.user_name });
    } catch (err) {
      if (!(err instanceof SpotifyFailure)) throw err;
      deps.logger.audit({
        action: 'spotify_connect',
        user: row.user_id,
        community: row.community_id,
        result: 'FAILURE',
        reason: err.reason,
      });
      return c.html(
        page('Spotify not connected', 'Spotify did not accept the authorisation; please try again.'),
        502,
      );
    }
    deps.logger.audit({
      action: 'spotify_connect',
      user: row.user_id,
      community: row.community_id,
      result: 'SUCCESS',
    });
    return c.html(
      page('Spotify connected', 'Spotify connected; chat commands now control this account.'),
      200,
    );
  });
}
