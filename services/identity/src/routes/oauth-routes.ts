import {
  AppError,
  ForbiddenError,
  ValidationError,
  ok,
  restRoute,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
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
  type OAuthState,
  type ProviderProfile,
} from '../oauth.js';
import { activeUser, uidOf } from '../users.js';
import { authenticated, jwtCallerId } from './route-auth.js';

const COOKIE_PATH = '/auth/oauth';
/** Server-side state of flows started by `link-url`; the browser never held identity's cookie. */
const LINK_STATE_PREFIX = 'identity:oauth-link:';
/** Provider accounts read by a link flow's callback, waiting for `link-complete`. */
const LINK_DONE_PREFIX = 'identity:oauth-link-done:';

interface PendingLink {
  provider: string;
  user_id: string;
  profile: ProviderProfile;
  exp: number;
}

/** What a link flow's redirect says went wrong: fixed words, never exception text. */
const LINK_ERRORS: Record<string, string> = {
  VALIDATION_ERROR: 'failed',
  UPSTREAM_ERROR: 'unavailable',
};

function withQuery(url: string, key: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.toString();
}

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

  /**
   * Starts linking for the JWT's user (§3.4 step 2) when the caller cannot send the JWT on a browser
   * redirect: the portal asks server-side and sends the browser to the returned URL. The state is
   * kept here, bound to that user, for one use within OAUTH_STATE_TTL. The callback does not link:
   * it hands the portal a one-time `link_code` that only the same user's JWT can redeem
   * (`link-complete`), so a start URL planted in someone else's browser cannot attach their
   * provider account to the planter's user.
   */
  restRoute(
    app,
    authenticated(deps, id, 'jwt'),
    {
      method: 'post',
      path: '/auth/oauth/{provider}/link-url',
      summary: "Provider authorize URL that links the account to the caller's user",
      params: z.object({ provider: z.string().max(32) }),
      body: z.object({ redirect: z.string().min(1).max(2048) }),
    },
    async (c: Context, { params, body }) => {
      const provider = enabledProvider(id.config, params.provider);
      if (!provider) throw new ValidationError('Unknown or disabled OAuth provider');
      const redirect = body.redirect;
      if (!isPortalUrl(redirect, id.config.PORTAL_PUBLIC_URL))
        throw new ValidationError('redirect must point into the portal', [
          { path: 'redirect', message: 'must start with PORTAL_PUBLIC_URL' },
        ]);
      const callerId = await jwtCallerId(c, id);
      const state = newStateValue();
      const ttl = id.config.OAUTH_STATE_TTL;
      const saved: OAuthState = {
        state,
        provider: provider.name,
        user_id: uidOf(callerId),
        redirect,
        exp: id.clock.nowMs() + ttl * 1000,
      };
      await id.state.kv.set(`${LINK_STATE_PREFIX}${state}`, JSON.stringify(saved), ttl);
      deps.logger.audit({
        action: 'oauth_link_start',
        user: uidOf(callerId),
        result: 'SUCCESS',
        platform: provider.name,
      });
      return ok(c, { url: authorizeRedirect(provider, state), expires_in: ttl });
    },
  );

  /** The link flow's saved state, consumed: `del` answers 1 for exactly one of racing callbacks. */
  async function takeLinkState(state: string): Promise<OAuthState | null> {
    const raw = await takeOnce(`${LINK_STATE_PREFIX}${state}`);
    if (!raw) return null;
    try {
      const saved = JSON.parse(raw) as OAuthState;
      return saved.state === state && saved.exp > id.clock.nowMs() ? saved : null;
    } catch {
      return null;
    }
  }

  /** Takes a kv entry for exactly one caller: `del` answers 1 for one of racing requests. */
  async function takeOnce(key: string): Promise<string | null> {
    const raw = await id.state.kv.get(key);
    return raw && (await id.state.kv.del(key)) === 1 ? raw : null;
  }

  restRoute(
    app,
    authenticated(deps, id, 'jwt'),
    {
      method: 'post',
      path: '/auth/oauth/{provider}/link-complete',
      summary: "Links the provider account read by a link flow to the caller's user",
      params: z.object({ provider: z.string().max(32) }),
      body: z.object({ link_code: z.string().min(1).max(128) }),
    },
    async (c: Context, { params, body }) => {
      const provider = enabledProvider(id.config, params.provider);
      if (!provider) throw new ValidationError('Unknown or disabled OAuth provider');
      const callerId = await jwtCallerId(c, id);
      const raw = await takeOnce(`${LINK_DONE_PREFIX}${body.link_code}`);
      let pending: PendingLink | null = null;
      try {
        pending = raw ? (JSON.parse(raw) as PendingLink) : null;
      } catch {
        pending = null;
      }
      if (!pending || pending.provider !== provider.name || pending.exp <= id.clock.nowMs())
        throw new ValidationError('Invalid or expired link code');
      if (pending.user_id !== uidOf(callerId)) {
        deps.logger.authz({
          action: 'oauth_link_complete',
          user: uidOf(callerId),
          result: 'DENIED',
          platform: provider.name,
        });
        throw new ForbiddenError('This link was started by another user');
      }
      const { userId, mergedFrom } = await completeOAuth(id, provider.name, pending.profile, callerId);
      return ok(c, {
        user_id: uidOf(userId),
        platform: provider.name,
        ...(mergedFrom !== null ? { merged_uid: uidOf(mergedFrom) } : {}),
      });
    },
  );

  app.get('/auth/oauth/:provider/callback', async (c) => {
    const provider = enabledProvider(id.config, c.req.param('provider'));
    if (!provider) throw new ValidationError('Unknown or disabled OAuth provider');
    const fromCookie = openState(getCookie(c, OAUTH_STATE_COOKIE), secretKey(), id.clock.now());
    const state = c.req.query('state');
    deleteCookie(c, OAUTH_STATE_COOKIE, { path: COOKIE_PATH });
    let saved = fromCookie && state && fromCookie.state === state ? fromCookie : null;
    const linkFlow = !saved && !!state;
    if (linkFlow) saved = await takeLinkState(state);
    if (!saved || saved.provider !== provider.name)
      throw new ValidationError('Invalid or expired OAuth state');
    // A link flow returns to the portal page that started it, with the outcome in the query.
    const linkRedirect = linkFlow && saved.redirect && saved.user_id ? saved.redirect : null;
    if (c.req.query('error')) {
      if (linkRedirect) return c.redirect(withQuery(linkRedirect, 'link_error', 'denied'), 302);
      throw new ValidationError('The provider refused the sign-in');
    }
    const code = c.req.query('code');
    if (!code) throw new ValidationError('Missing authorization code');
    if (linkRedirect) {
      let profile: ProviderProfile;
      try {
        profile = await fetchProviderProfile(clients, provider, code);
      } catch (err) {
        const reason = err instanceof AppError ? LINK_ERRORS[err.code] : undefined;
        if (reason) return c.redirect(withQuery(linkRedirect, 'link_error', reason), 302);
        throw err;
      }
      const linkCode = newStateValue();
      const ttl = id.config.OAUTH_STATE_TTL;
      const pending: PendingLink = {
        provider: provider.name,
        user_id: saved.user_id!,
        profile,
        exp: id.clock.nowMs() + ttl * 1000,
      };
      await id.state.kv.set(`${LINK_DONE_PREFIX}${linkCode}`, JSON.stringify(pending), ttl);
      return c.redirect(withQuery(linkRedirect, 'link_code', linkCode), 302);
    }
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
