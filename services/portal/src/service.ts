import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  boolVar,
  defineService,
  errorBody,
  intVar,
  isPlatformAdmin,
  optionalString,
  urlVar,
  z,
} from '@waddlebot/core';
import { createMailer } from './mailer.js';
import { renderMessagePage } from './page-layout.js';
import { readSession } from './session.js';
import type { PortalDeps } from './portal-deps.js';
import { mountAccountPages } from './routes/account-pages.js';
import { mountAdminPages } from './routes/admin-pages.js';
import { mountApi } from './routes/api.js';
import { OAUTH_PROVIDERS, mountAuthPages } from './routes/auth-pages.js';
import { mountCommunityPages } from './routes/community-pages.js';

export const service = defineService({
  name: 'portal',
  config: {
    PORTAL_PUBLIC_URL: urlVar('http://localhost:8080'),
    /** Identity as browsers reach it, for OAuth redirects; defaults to IDENTITY_URL. */
    IDENTITY_PUBLIC_URL: optionalString(),
    APP_NAME: z.string().trim().min(1).max(100).default('WaddleBot Community Portal'),
    API_TIMEOUT: intVar(30, { min: 1, max: 300 }),
    SESSION_TTL: intVar(28_800, { min: 60, max: 2_592_000 }),
    SMTP_HOST: optionalString(),
    SMTP_PORT: intVar(587, { min: 1, max: 65535 }),
    SMTP_USERNAME: optionalString(),
    SMTP_PASSWORD: optionalString(),
    SMTP_TLS: boolVar(true),
    FROM_EMAIL: z.string().trim().default('noreply@waddlebot.local'),
    ENABLE_OAUTH_PROVIDERS: boolVar(true),
    ENABLE_TWITCH_OAUTH: boolVar(true),
    ENABLE_DISCORD_OAUTH: boolVar(true),
    ENABLE_SLACK_OAUTH: boolVar(true),
    // Client ids are public (they appear in the authorize URL); the portal never reads the secrets.
    TWITCH_OAUTH_CLIENT_ID: optionalString(),
    DISCORD_OAUTH_CLIENT_ID: optionalString(),
    SLACK_OAUTH_CLIENT_ID: optionalString(),
  },
  readiness: (deps) => [
    {
      name: 'sessions',
      required: false,
      run: async () => (deps.config.SECRET_KEY ? 'ok' : 'not_configured'),
    },
  ],
  routes(app, deps) {
    const cfg = deps.config;
    if (!cfg.SECRET_KEY)
      deps.logger.warn('SECRET_KEY is not set: nobody can log in until identity and portal share one');
    const identityRoles = deps.database.root;
    const portal: PortalDeps = {
      logger: deps.logger,
      clock: deps.clock,
      appName: cfg.APP_NAME,
      publicUrl: cfg.PORTAL_PUBLIC_URL,
      identityPublicUrl: (cfg.IDENTITY_PUBLIC_URL ?? cfg.IDENTITY_URL ?? '').replace(/\/+$/, ''),
      // Without SECRET_KEY identity issues no JWTs; a per-process key still signs flash cookies.
      secretKey: cfg.SECRET_KEY ?? randomBytes(32).toString('base64url'),
      sessionTtlSeconds: cfg.SESSION_TTL,
      secureCookies: cfg.PORTAL_PUBLIC_URL.startsWith('https:'),
      apiTimeoutMs: cfg.API_TIMEOUT * 1000,
      identity: deps.serviceClient('identity'),
      community: deps.serviceClient('community'),
      reputation: deps.serviceClient('reputation'),
      marketplace: deps.serviceClient('marketplace'),
      browserSource: deps.serviceClient('browser-source'),
      isPlatformAdmin: (userId, roles) =>
        isPlatformAdmin(identityRoles, {
          kind: 'jwt',
          user_id: userId,
          username: null,
          email: null,
          roles,
          permissions: [],
        }),
      mailer: createMailer({
        logger: deps.logger,
        smtp: cfg.SMTP_HOST
          ? {
              host: cfg.SMTP_HOST,
              port: cfg.SMTP_PORT,
              username: cfg.SMTP_USERNAME,
              password: cfg.SMTP_PASSWORD,
              tls: cfg.SMTP_TLS,
              from: cfg.FROM_EMAIL,
              timeoutMs: cfg.API_TIMEOUT * 1000,
            }
          : null,
        outboxDir: cfg.NODE_ENV === 'production' ? null : join(cfg.WADDLEBOT_DATA_DIR, 'portal-outbox'),
      }),
    };
    const enabled = OAUTH_PROVIDERS.filter(
      (p) =>
        cfg.ENABLE_OAUTH_PROVIDERS &&
        { twitch: cfg.ENABLE_TWITCH_OAUTH, discord: cfg.ENABLE_DISCORD_OAUTH, slack: cfg.ENABLE_SLACK_OAUTH }[
          p
        ] &&
        !!{
          twitch: cfg.TWITCH_OAUTH_CLIENT_ID,
          discord: cfg.DISCORD_OAUTH_CLIENT_ID,
          slack: cfg.SLACK_OAUTH_CLIENT_ID,
        }[p],
    );
    mountApi(app, deps, portal);
    mountAuthPages(app, portal, enabled);
    mountCommunityPages(app, portal);
    mountAccountPages(app, portal);
    mountAdminPages(app, portal);
    // Browsers get a page for an unknown path; API clients keep the contracts §5 envelope.
    app.notFound(async (c) => {
      if ((c.req.header('Accept') ?? '').includes('text/html'))
        return renderMessagePage(
          c,
          portal,
          404,
          'Not found',
          'There is no such page.',
          await readSession(c, portal),
        );
      return c.json(errorBody('NOT_FOUND', 'Not found', c.get('requestId')), 404);
    });
  },
});
