import { ValidationError, ok, type App, type ServiceDeps } from '@waddlebot/core';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { issueToken } from '../accounts.js';
import type { IdentityDeps } from '../identity-deps.js';
import {
  OAUTH_STATE_COOKIE,
  authorizeRedirect,
  completeOAuth,
  enabledProvider,
  fetchProviderProfile,
  newStateValue,
  openState,
  sealState,
  type OAuthClients,
} from '../oauth.js';
import { activeUser, uidOf } from '../users.js';

const COOKIE_PATH = '/auth/oauth';

/** core-and-admin §3.4: browser redirects, so plain Hono routes with the envelope on errors. */
export function mountOAuthRoutes(app: App, deps: ServiceDeps, id: IdentityDeps, clients: OAuthClients) {
  const secretKey = () => {
    if (!id.config.SECRET_KEY) throw new ValidationError('OAuth is not configured');
    return id.config.SECRET_KEY;
  };

  app.get('/auth/oauth/:provider', async (c) => {
    const provider = enabledProvider(id.config, c.req.param('provider'));
    if (!provider) throw new ValidationError('Unknown or disabled OAuth provider');
    const redirect = c.req.query('redirect') || null;
    if (redirect !== null && !isPortalUrl(redirect, id.config.PORTAL_PUBLIC_URL))
      throw new ValidationError('redirect must point into the portal', [
        { path: 'redirect', message: 'must start with PORTAL_PUBLIC_URL' },
      ]);
    // A logged-in caller links the provider account to itself (§3.4 step 2); a bad token is ignored.
    let userId: string | null = null;
    if (c.req.header('Authorization')) {
      try {
        const auth = await deps.auth.authenticate(c, ['jwt']);
        if (auth.user_id && (await activeUser(id.db, Number(auth.user_id)))) userId = auth.user_id;
      } catch {
        userId = null;
      }
    }
    const state = newStateValue();
    const ttl = id.config.OAUTH_STATE_TTL;
    setCookie(
      c,
      OAUTH_STATE_COOKIE,
      sealState(
        { state, provider: provider.name, user_id: userId, redirect, exp: id.clock.nowMs() + ttl * 1000 },
        secretKey(),
      ),
      {
        httpOnly: true,
        sameSite: 'Lax',
        path: COOKIE_PATH,
        maxAge: ttl,
        secure: (id.config.IDENTITY_URL ?? '').startsWith('https:'),
      },
    );
    return c.redirect(authorizeRedirect(provider, state), 302);
  });

  app.get('/auth/oauth/:provider/callback', async (c) => {
    const provider = enabledProvider(id.config, c.req.param('provider'));
    if (!provider) throw new ValidationError('Unknown or disabled OAuth provider');
    const saved = openState(getCookie(c, OAUTH_STATE_COOKIE), secretKey(), id.clock.now());
    const state = c.req.query('state');
    deleteCookie(c, OAUTH_STATE_COOKIE, { path: COOKIE_PATH });
    if (!saved || !state || saved.state !== state || saved.provider !== provider.name)
      throw new ValidationError('Invalid or expired OAuth state');
    if (c.req.query('error')) throw new ValidationError('The provider refused the sign-in');
    const code = c.req.query('code');
    if (!code) throw new ValidationError('Missing authorization code');
    const profile = await fetchProviderProfile(clients, provider, code);
    const { userId } = await completeOAuth(
      id,
      provider.name,
      profile,
      saved.user_id ? Number(saved.user_id) : null,
    );
    const user = await activeUser(id.db, userId);
    const { token } = await issueToken(id, {
      id: userId,
      username: user?.username ?? uidOf(userId),
      email: user?.email ?? null,
    });
    if (saved.redirect) return c.redirect(`${saved.redirect}#token=${encodeURIComponent(token)}`, 302);
    return ok(c, { user_id: uidOf(userId), token, redirect: '/dashboard' });
  });
}

/** Same origin as the portal and under its path, so the token cannot be sent elsewhere. */
function isPortalUrl(candidate: string, portal: string): boolean {
  if (!candidate.startsWith(portal)) return false;
  try {
    const a = new URL(candidate);
    const b = new URL(portal);
    return (
      a.origin === b.origin &&
      (candidate.length === portal.length || '/?#'.includes(candidate[portal.length]!))
    );
  } catch {
    return false;
  }
}
