import {
  ForbiddenError,
  documentPlainRoutes,
  invalidPayload,
  parseJsonObject,
  readRawBody,
  requirePlatformConfig,
  verifyTwitchSignature,
  withinReplayWindow,
  type App,
} from '@waddlebot/core';
import { EVENTSUB_MAX_FUTURE_SECONDS, missingTwitchConfig } from '../config.js';
import { eventRowFields, mapNotification } from '../notification.js';
import type { TwitchDeps, TwitchReceiver } from '../receiver.js';

/** `POST /twitch/webhook` (§5.1): verify the raw bytes, then challenge / revocation / notification. */
export function mountWebhook(app: App, deps: TwitchDeps, twitch: TwitchReceiver) {
  const { config, pipeline } = twitch;
  documentPlainRoutes(app, [
    {
      method: 'post',
      path: '/twitch/webhook',
      summary: 'EventSub webhook: challenge, revocation, notification (router-and-receivers §5.1)',
      headers: [
        'Twitch-Eventsub-Message-Id',
        'Twitch-Eventsub-Message-Timestamp',
        'Twitch-Eventsub-Message-Signature',
        'Twitch-Eventsub-Message-Type',
      ],
      body: { contentType: 'application/json' },
    },
  ]);
  app.post(
    '/twitch/webhook',
    requirePlatformConfig('twitch', () => missingTwitchConfig(config, 'webhook')),
    async (c) => {
      const messageId = c.req.header('Twitch-Eventsub-Message-Id');
      const timestamp = c.req.header('Twitch-Eventsub-Message-Timestamp');
      const signature = c.req.header('Twitch-Eventsub-Message-Signature');
      const raw = await readRawBody(c);
      if (!messageId || !timestamp || !signature) throw new ForbiddenError('Missing request signature');
      if (!verifyTwitchSignature(config.TWITCH_EVENTSUB_SECRET!, messageId, timestamp, raw, signature)) {
        deps.logger.auth({ action: 'twitch_webhook_verify', result: 'FAILURE', reason: 'signature' });
        throw new ForbiddenError('Invalid request signature');
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
        throw new ForbiddenError('Request timestamp outside the allowed window');
      }
      const body = parseJsonObject(raw);
      const subscription = body.subscription as Record<string, any> | undefined;
      if (!subscription || typeof subscription !== 'object' || typeof subscription.id !== 'string')
        throw invalidPayload('subscription.id', 'Required');

      switch (c.req.header('Twitch-Eventsub-Message-Type')) {
        case 'webhook_callback_verification': {
          if (typeof body.challenge !== 'string') throw invalidPayload('challenge', 'Required');
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
          if (!event || typeof event !== 'object') throw invalidPayload('event', 'Required');
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
          throw invalidPayload(
            'Twitch-Eventsub-Message-Type',
            'must be notification, webhook_callback_verification or revocation',
          );
      }
    },
  );
}
