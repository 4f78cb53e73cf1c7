import type { RouterEvent } from '@waddlebot/core';
import type { RouterContext } from './router-deps.js';

const SKIPPED_TYPES = new Set(['slashCommand', 'interaction', 'stream_online', 'stream_offline']);
const EVENT_NAMES: Record<string, string> = { chatMessage: 'message', subscription: 'sub' };
// §3.11 names bits, minutes and amount; gift-sub `count` and sub `tier` are copied too, because
// reputation weighs a 5-gift or a tier-3 sub by them (core-and-admin §5.1).
const COPIED_METADATA = ['bits', 'minutes', 'amount', 'count', 'tier'] as const;

/**
 * §3.11: fire-and-forget `POST /reputation/process` (10 s, no retries). Never delays the reply:
 * the promise is not awaited and failures are only logged.
 */
export function reputationHook(ctx: RouterContext, event: RouterEvent, entityId: string, uid: string | null) {
  if (!ctx.config.REPUTATION_ENABLED || event.alias_depth > 0 || SKIPPED_TYPES.has(event.message_type))
    return;
  const eventData: Record<string, unknown> = {
    platform: event.platform,
    server_id: event.server_id,
    channel_id: event.channel_id,
    message_content: event.message_content.slice(0, 500),
    timestamp: event.timestamp ?? ctx.deps.clock.now().toISOString(),
  };
  for (const k of COPIED_METADATA) if (event.metadata[k] !== undefined) eventData[k] = event.metadata[k];
  void ctx.dependencies.call(
    'reputation',
    () =>
      ctx.deps.serviceClient('reputation').post(
        '/reputation/process',
        {
          user_id: event.user_id,
          uid,
          platform: event.platform,
          entity_id: entityId,
          event_name: EVENT_NAMES[event.message_type] ?? event.message_type,
          event_data: eventData,
        },
        { timeoutMs: 10_000, retries: 0 },
      ),
    { message_type: event.message_type },
  );
}
