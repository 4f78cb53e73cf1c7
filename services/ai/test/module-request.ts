import { moduleRequest, type ModuleRequestOptions } from '@waddlebot/core/testing';
import type { MessageType } from '@waddlebot/core';

export { moduleRequest as chat, memberRequest as member } from '@waddlebot/core/testing';

/**
 * What the router sends an event-triggered row (contracts §9): no command, and the whole RouterEvent
 * in `event_data`; `text` is the chat line for passive mode.
 */
export function eventRequest(
  type: MessageType,
  opts: ModuleRequestOptions & { text?: string; eventMetadata?: Record<string, unknown> } = {},
) {
  const base = moduleRequest(opts.text ?? '', { role: 'member', ...opts });
  const user = base.user;
  return {
    ...base,
    trigger_type: 'event' as const,
    message_type: type,
    command: '',
    args: [],
    args_text: '',
    raw_message: opts.text ?? '',
    metadata: { ...opts.eventMetadata },
    event_data: {
      platform: base.platform,
      server_id: base.server_id,
      channel_id: base.channel_id,
      user_id: user.id,
      user_name: user.name,
      display_name: user.display_name,
      message_content: opts.text ?? '',
      message_type: type,
      event_id: `e-${Math.random().toString(36).slice(2)}`,
      metadata: { ...opts.eventMetadata },
      alias_depth: 0,
    },
  };
}
