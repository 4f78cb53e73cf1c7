import {
  ForbiddenError,
  ValidationError,
  parseJsonBytes,
  readRawBody,
  requirePlatformConfig,
  verifyTwitchSignature,
  withinReplayWindow,
  type App,
} from '@waddlebot/core';
import { EVENTSUB_MAX_FUTURE_SECONDS, missingTwitchConfig } from '../config.js';
import { eventRowFields, mapNotification } from '../notification.js';
import type { TwitchDeps, TwitchReceiver } from '../receiver.js';

/** Rejections are transport errors: the contracts §5 envelope (403 for anything unverified). */
function refuse(status: 400 | 403, reason: string): never {
  throw status === 403 ? new ForbiddenError(reason) : new ValidationError(reason);
}

/** `POST /twitch/webhook` (§5.1): verify the raw bytes, then challenge / revocation / notification. */
export function mountWebhook(app: App, deps: TwitchDeps, twitch: TwitchReceiver) {
  const { config, pipeline } = twitch;
  app.post(
    '/twitch/webhook',
    requirePlatformConfig('twitch', () => missingTwitchConfig(config, 'webhook')),
    async (c) => {
      const messageId = c.req.header('Twitch-Eventsub-Message-Id');
      const timestamp = c.req.header('Twitch-Eventsub-Message-Timestamp');
      const signature = c.req.header('Twitch-Eventsub-Message-Signature');
      const raw = await readRawBody(c);
      if (!messageId || !timestamp || !signature) return refuse(403, 'missing signature headers');
      if (!verifyTwitchSignature(config.TWITCH_EVENTSUB_SECRET!, messageId, timestamp, raw, signature)) {
        deps.logger.auth({ action: 'twitch_webhook_verify', result: 'FAILURE', reason: 'signature' });
        return refuse(403, 'invalid signature');
      }
      if (
        !withinReplayWindow(
          Date.parse(timestamp),
          deps.clock.nowMs(),
          config.EVENTSUB_MAX_AGE_SECONDS,
          EVENTSUB_MAX_FUTURE_SECONDS,
        )
      ) {
        deps.logger.auth({ action: 'twitch_webhook_verify', result: 'FAILURE', reason: 'timestamp' });
        return refuse(403, 'stale timestamp');
      }
      const body = parseJsonBytes(raw) as
        { subscription?: Record<string, any>; event?: Record<string, any>; challenge?: unknown } | undefined;
      if (!body || typeof body !== 'object' || !body.subscription || typeof body.subscription.id !== 'string')
        return refuse(400, 'malformed body');
      const subscription = body.subscription;

      switch (c.req.header('Twitch-Eventsub-Message-Type')) {
        case 'webhook_callback_verification': {
          if (typeof body.challenge !== 'string') return refuse(400, 'missing challenge');
          await twitch.subscriptions.store(
            { ...(subscription as { id: string; type: string }), status: 'enabled' },
            { authoritative: true },
          );
          deps.logger.system('eventsub subscription verified', { subscription_type: subscription.type });
          return c.body(body.challenge, 200, { 'Content-Type': 'text/plain' });
        }
        case 'revocation': {
          await twitch.subscriptions.store(
            {
              ...(subscription as { id: string; type: string }),
              status: String(subscription.status ?? 'revoked'),
            },
            { authoritative: true },
          );
          deps.logger.system('eventsub subscription revoked', {
            subscription_type: subscription.type,
            status: subscription.status,
          });
          return c.body(null, 204);
        }
        case 'notification': {
          const event = body.event;
          if (!event || typeof event !== 'object') return refuse(400, 'missing event');
          const type = String(subscription.type ?? '');
          const mapped = mapNotification(type, event, messageId, config.TWITCH_BOT_USER_ID);
          const fresh = await pipeline.record({
            event_id: messageId,
            event_type: type,
            subscription_id: subscription.id,
            event_data: event,
            ...eventRowFields(mapped, event),
          });
          if (!fresh || !mapped) return c.body(null, 204);
          pipeline.background(messageId, async () => {
            if (!(await twitch.monitored.isMonitored(mapped.server_id))) return;
            await pipeline.forwardAndDeliver(mapped, twitch.deliverer);
          });
          return c.body(null, 204);
        }
        default:
          return refuse(400, 'unknown message type');
      }
    },
  );
}
