import {
  ForbiddenError,
  documentPlainRoutes,
  NotFoundError,
  ValidationError,
  notConfiguredError,
  ok,
  type App,
} from '@waddlebot/core';
import { missingTwitchConfig } from '../config.js';
import type { TwitchDeps, TwitchReceiver } from '../receiver.js';

/** Scopes a broadcaster grants (original set plus `channel:bot`, `channel:moderate` for channel.ban). */
export const BROADCASTER_SCOPES = [
  'channel:read:subscriptions',
  'bits:read',
  'channel:read:redemptions',
  'channel:read:hype_train',
  'moderator:read:followers',
  'user:read:email',
  'channel:bot',
  'channel:moderate',
];
/** The bot account's scopes (§5.3): read/write chat, whispers, deletes. */
export const BOT_SCOPES = [
  'user:read:chat',
  'user:write:chat',
  'user:bot',
  'user:manage:whispers',
  'moderator:manage:chat_messages',
];

interface OAuthState {
  bot: boolean;
  activation_key: string | null;
}

const stateKey = (state: string) => `waddlebot:twitch:oauth:${state}`;

/** OAuth login/callback (no credential; the state is the guard) and the admin token endpoints (§5.4). */
export function mountAuthRoutes(app: App, deps: TwitchDeps, twitch: TwitchReceiver) {
  const { config } = twitch;
  documentPlainRoutes(app, [
    {
      method: 'get',
      path: '/twitch/auth/login',
      summary: 'Redirect to Twitch authorization (?bot=1, ?activation_key)',
    },
    {
      method: 'get',
      path: '/twitch/auth/callback',
      summary: 'OAuth callback: store tokens, monitor the channel',
    },
    {
      method: 'post',
      path: '/twitch/auth/refresh/{user_id}',
      summary: "Refresh a user's token",
      serviceKey: true,
    },
    {
      method: 'get',
      path: '/twitch/auth/validate/{user_id}',
      summary: "Validate a user's token",
      serviceKey: true,
    },
    {
      method: 'post',
      path: '/twitch/auth/revoke/{user_id}',
      summary: "Revoke and delete a user's tokens",
      serviceKey: true,
    },
  ]);
  const requireOAuthConfig = () => {
    const missing = missingTwitchConfig(config, 'oauth');
    if (missing.length > 0) throw notConfiguredError('twitch', missing);
  };

  app.get('/twitch/auth/login', async (c) => {
    requireOAuthConfig();
    const bot = c.req.query('bot') === '1';
    const activationKey = c.req.query('activation_key');
    if (activationKey !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(activationKey)) {
      throw new ValidationError('Validation failed', [{ path: 'activation_key', message: 'invalid' }]);
    }
    const state = deps.ids.uuid();
    const saved: OAuthState = { bot, activation_key: activationKey ?? null };
    await deps.state.kv.set(stateKey(state), JSON.stringify(saved), config.OAUTH_STATE_TTL);
    const url = new URL(`${config.TWITCH_AUTH_BASE_URL}/authorize`);
    url.search = new URLSearchParams({
      client_id: config.TWITCH_CLIENT_ID!,
      redirect_uri: config.TWITCH_REDIRECT_URI!,
      response_type: 'code',
      scope: (bot ? BOT_SCOPES : BROADCASTER_SCOPES).join(' '),
      state,
      force_verify: 'true',
    }).toString();
    return c.redirect(url.toString(), 302);
  });

  app.get('/twitch/auth/callback', async (c) => {
    requireOAuthConfig();
    if (c.req.query('error')) throw new ValidationError('Authorization was not granted');
    const code = c.req.query('code');
    const state = c.req.query('state');
    if (!code || !state || !/^[A-Za-z0-9-]{1,64}$/.test(state))
      throw new ValidationError('Missing or invalid code/state');
    const raw = await deps.state.kv.get(stateKey(state));
    if (raw === null) throw new ValidationError('Unknown or expired state');
    // One use only: a replayed callback URL cannot bind a second token.
    await deps.state.kv.del(stateKey(state));
    const saved = JSON.parse(raw) as OAuthState;

    const token = await twitch.auth.authorizationCode(code);
    const user = await twitch.helix.userOfToken(token.access_token);
    if (saved.bot && user.id !== config.TWITCH_BOT_USER_ID)
      throw new ForbiddenError('This account is not the configured bot account');
    await twitch.userTokens.save(user.id, user.login, token, saved.bot);
    deps.logger.audit({
      action: saved.bot ? 'twitch_bot_authorised' : 'twitch_broadcaster_authorised',
      user: user.id,
      result: 'SUCCESS',
    });

    let onboarding: Record<string, unknown> = {};
    if (!saved.bot) {
      // Contracts §17.5: a broadcaster completing OAuth becomes a monitored channel with subscriptions.
      await twitch.channels.upsert({ broadcaster_id: user.id, channel_name: user.login });
      const missing = missingTwitchConfig(config, 'subscriptions');
      onboarding =
        missing.length === 0
          ? await twitch.subscriptions.createFor(user.id)
          : { subscriptions: [], failed: [], not_configured: missing };
    }
    return ok(c, {
      user: { id: user.id, login: user.login, display_name: user.display_name },
      bot: saved.bot,
      activation_key: saved.activation_key,
      ...onboarding,
    });
  });

  const userIdParam = (raw: string) => {
    if (!/^\d{1,32}$/.test(raw))
      throw new ValidationError('Validation failed', [
        { path: 'user_id', message: 'must be a Twitch user id' },
      ]);
    return raw;
  };

  app.post('/twitch/auth/refresh/:user_id', deps.auth.require('service'), async (c) => {
    // A refresh grant needs the client credentials only, not the redirect URI of the login flow.
    const missing = missingTwitchConfig(config, 'api');
    if (missing.length > 0) throw notConfiguredError('twitch', missing);
    const token = await twitch.userTokens.refresh(userIdParam(c.req.param('user_id')));
    deps.logger.audit({ action: 'twitch_token_refresh', user: token.userId, result: 'SUCCESS' });
    return ok(c, {
      user_id: token.userId,
      expires_at: token.expiresAt?.toISOString() ?? null,
      scopes: token.scopes,
    });
  });

  app.get('/twitch/auth/validate/:user_id', deps.auth.require('service'), async (c) => {
    const token = await twitch.userTokens.require(userIdParam(c.req.param('user_id')));
    const info = await twitch.auth.validate(token.accessToken);
    if (!info) return ok(c, { user_id: token.userId, valid: false });
    return ok(c, {
      user_id: token.userId,
      valid: true,
      login: info.login ?? null,
      scopes: info.scopes ?? [],
      expires_in: info.expires_in ?? null,
    });
  });

  app.post('/twitch/auth/revoke/:user_id', deps.auth.require('service'), async (c) => {
    const userId = userIdParam(c.req.param('user_id'));
    const token = await twitch.userTokens.find(userId);
    if (!token) throw new NotFoundError('No tokens stored for this user');
    await twitch.auth.revoke(token.accessToken);
    await twitch.userTokens.remove(userId);
    deps.logger.audit({ action: 'twitch_token_revoke', user: userId, result: 'SUCCESS' });
    return ok(c, { user_id: userId, revoked: true });
  });
}
