import { randomUUID } from 'node:crypto';
import type { ModuleRequestInput, Role } from '@waddlebot/core';

export interface RequestOptions {
  role?: Role;
  user?: { id: string; name: string; display_name?: string; uid?: string | null };
  community?: string;
}

/** `!so @bob` as the router sends it from twitch:1 in community 7 (contracts §9). */
export function command(message: string, opts: RequestOptions = {}): ModuleRequestInput {
  const [word = '', ...args] = message.replace(/^!/, '').split(/\s+/).filter(Boolean);
  const role = opts.role ?? 'moderator';
  return {
    session_id: randomUUID(),
    execution_id: randomUUID(),
    trigger_type: 'command',
    message_type: 'chatMessage',
    command: word.toLowerCase(),
    prefix: '!',
    args,
    args_text: args.join(' '),
    raw_message: message,
    entity_id: 'twitch:1',
    community_id: opts.community ?? '7',
    platform: 'twitch',
    server_id: '1',
    channel_id: '',
    message_id: 'm1',
    user: { uid: '311', ...(opts.user ?? { id: '555', name: 'modmike', display_name: 'ModMike' }) },
    user_context: { role, platform_role: role, permissions: [], labels: [] },
    config: {},
    metadata: { message_id: 'm1' },
    event_data: null,
    alias_depth: 0,
  };
}

export const mod = (message: string, opts: RequestOptions = {}) =>
  command(message, { role: 'moderator', ...opts });
export const member = (message: string, opts: RequestOptions = {}) =>
  command(message, { role: 'member', user: { id: '777', name: 'bob', uid: null }, ...opts });

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
