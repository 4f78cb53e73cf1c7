import { createRoute, z } from '@hono/zod-openapi';
import {
  CommunityPath,
  ForbiddenError,
  ServiceUnavailableError,
  hasRole,
  ok,
  requireActingUser,
  restRoute,
  type App,
  type Clock,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { createConnectLink } from '../connect-link.js';
import type { SpotifyDB } from '../db.js';
import { nowPlaying } from '../music-store.js';
import { publicNowPlaying } from '../now-playing-card.js';
import type { SpotifyAccounts } from '../spotify-accounts.js';
import { SpotifyFailure } from '../spotify-errors.js';
import type { TokenStore } from '../token-store.js';

export interface RestDeps {
  db: Kysely<SpotifyDB>;
  clock: Clock;
  accounts: SpotifyAccounts;
  tokens: TokenStore;
}

/** Connecting and disconnecting the community's account is for its owner or admins. */
function requireAdmin(c: Parameters<typeof requireActingUser>[0]) {
  const user = requireActingUser(c);
  if (!hasRole(user.role, 'admin')) throw new ForbiddenError('Only a community admin can manage Spotify');
  return user;
}

/** Management REST of interaction-modules §9 under `/api/v1/spotify/:community_id`. */
export function mountSpotifyRestRoutes(
  app: App,
  deps: Pick<ServiceDeps, 'auth' | 'logger'>,
  domain: RestDeps,
) {
  const service = deps.auth.require('service');

  restRoute(
    app,
    service,
    {
      method: 'get',
      path: '/api/v1/spotify/{community_id}/auth/url',
      summary: 'Start connecting the community Spotify account',
      params: CommunityPath,
    },
    async (c, { params }) => {
      const user = requireAdmin(c);
      try {
        const link = await createConnectLink(domain, params.community_id, { key: user.id, name: user.name });
        return ok(c, link);
      } catch (err) {
        if (err instanceof SpotifyFailure && err.kind === 'not_configured')
          throw new ServiceUnavailableError(
            'Spotify is not configured: set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET',
          );
        throw err;
      }
    },
  );

  restRoute(
    app,
    service,
    {
      method: 'get',
      path: '/api/v1/spotify/{community_id}/status',
      summary: 'Whether the community has a connected Spotify account',
      params: CommunityPath,
    },
    async (c, { params }) => ok(c, await domain.tokens.status(params.community_id)),
  );

  restRoute(
    app,
    service,
    {
      method: 'get',
      path: '/api/v1/spotify/{community_id}/now-playing',
      summary: 'The last track chat played or saw playing',
      params: CommunityPath,
    },
    async (c, { params }) => {
      const np = await nowPlaying(domain, params.community_id);
      return ok(c, { now_playing: np ? publicNowPlaying(np) : null });
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/spotify/{community_id}/auth',
      summary: 'Disconnect the community Spotify account',
      middleware: [service] as const,
      request: { params: CommunityPath },
      responses: { 204: { description: 'disconnected (or was not connected)' } },
    }),
    (async (c: any) => {
      const user = requireAdmin(c);
      const { community_id } = c.req.valid('param') as z.output<typeof CommunityPath>;
      const removed = await domain.tokens.remove(community_id);
      deps.logger.audit({
        action: 'spotify_disconnect',
        user: user.id,
        community: community_id,
        result: removed ? 'SUCCESS' : 'NOOP',
      });
      return c.body(null, 204);
    }) as any,
  );
}
