import { TokenCipher, receiverPipeline, type ServiceDeps } from '@waddlebot/core';
import { twitchChannelStore, twitchMonitored } from './channels.js';
import type { TwitchConfig } from './config.js';
import type { TwitchDB } from './db.js';
import { TwitchReplyDeliverer } from './delivery.js';
import { Helix } from './helix.js';
import { EventSubSubscriptions } from './subscriptions.js';
import { UserTokenStore } from './tokens.js';
import { AppTokenSource, TwitchAuthApi } from './twitch-auth.js';

export type TwitchDeps = ServiceDeps<TwitchConfig, TwitchDB>;

/** The receiver's collaborators, built once from resolved deps. */
export function buildTwitchReceiver(deps: TwitchDeps) {
  const config = deps.config;
  const auth = new TwitchAuthApi(deps, config);
  const userTokens = new UserTokenStore(
    deps,
    new TokenCipher({
      encryptionKey: config.TWITCH_TOKEN_ENCRYPTION_KEY,
      serviceApiKey: config.SERVICE_API_KEY,
      purpose: 'twitch-token-encryption',
    }),
    auth,
  );
  const helix = new Helix(deps, config, new AppTokenSource(auth, () => deps.clock.nowMs()), userTokens);
  const monitored = twitchMonitored(deps);
  return {
    config,
    auth,
    userTokens,
    helix,
    monitored,
    channels: twitchChannelStore(deps, monitored),
    subscriptions: new EventSubSubscriptions(deps, config, helix),
    deliverer: new TwitchReplyDeliverer(helix, deps.logger),
    pipeline: receiverPipeline(deps, {
      platform: 'twitch',
      eventTable: 'twitch_events',
      // At least the replay window: a redelivery inside it must still be recognised.
      dedupTtlSeconds: config.EVENTSUB_MAX_AGE_SECONDS * 2,
      retryDelaysMs: config.RECEIVER_RETRY_DELAYS_MS,
    }),
  };
}

export type TwitchReceiver = ReturnType<typeof buildTwitchReceiver>;
