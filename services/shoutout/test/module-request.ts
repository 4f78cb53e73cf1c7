import { randomUUID } from 'node:crypto';
import type { ModuleRequestInput } from '@waddlebot/core';
import { MEMBER_USER, moduleRequest, type ModuleRequestOptions } from '@waddlebot/core/testing';

/** `!so @bob` as the router sends it from twitch:1 in community 7, the role also the platform role. */
export const mod = (message: string, opts: ModuleRequestOptions = {}) =>
  moduleRequest(message, { role: 'moderator', platformRole: 'moderator', ...opts });
export const member = (message: string, opts: ModuleRequestOptions = {}) =>
  moduleRequest(message, { role: 'member', platformRole: 'member', user: MEMBER_USER, ...opts });

/** An event-triggered request for the `shoutout-auto` row: `event_data` is the full RouterEvent. */
export function platformEvent(
  messageType: 'raid' | 'follow' | 'subscription',
  from: { user_id: string; user_name: string; display_name?: string },
  opts: { community?: string; viewers?: number } = {},
): ModuleRequestInput {
  return {
    session_id: randomUUID(),
    execution_id: randomUUID(),
    trigger_type: 'event',
    message_type: messageType,
    command: '',
    prefix: '!',
    args: [],
    args_text: '',
    raw_message: '',
    entity_id: 'twitch:1',
    community_id: opts.community ?? '7',
    platform: 'twitch',
    server_id: '1',
    channel_id: '',
    message_id: null,
    user: { id: from.user_id, name: from.user_name, display_name: from.display_name ?? null, uid: null },
    user_context: { role: 'member', platform_role: null, permissions: [], labels: [] },
    config: {},
    metadata: { viewers: opts.viewers ?? 12 },
    event_data: {
      platform: 'twitch',
      server_id: '1',
      channel_id: '',
      user_id: from.user_id,
      user_name: from.user_name,
      display_name: from.display_name,
      message_content: '',
      message_type: messageType,
      event_id: randomUUID(),
      metadata: { viewers: opts.viewers ?? 12 },
    },
    alias_depth: 0,
  };
}
