import type { RouterEventInput } from '@waddlebot/core';
import type { SlackUser } from './users.js';

type Payload = Record<string, any>;

/** Who an Events API event is about (`team_join` carries a user object). */
export function eventUserId(event: Payload): string | undefined {
  if (event.type === 'team_join') return typeof event.user?.id === 'string' ? event.user.id : undefined;
  if (event.type === 'file_shared') return typeof event.user_id === 'string' ? event.user_id : undefined;
  return typeof event.user === 'string' ? event.user : undefined;
}

export function eventChannelId(event: Payload): string {
  if (event.type === 'reaction_added') return String(event.item?.channel ?? '');
  if (event.type === 'file_shared') return String(event.channel_id ?? '');
  if (event.type === 'team_join') return '';
  return String(event.channel ?? '');
}

/** Messages the bot must not react to: its own, other bots', edits and other subtypes. */
export function isIgnoredMessage(event: Payload, botUserId: string | undefined): boolean {
  return (
    event.type === 'message' &&
    (event.subtype !== undefined ||
      event.bot_id !== undefined ||
      (botUserId !== undefined && event.user === botUserId))
  );
}

/** §7.2 mapping; null for event types that only go to the raw log. */
export function mapSlackEvent(envelope: Payload, user: SlackUser): RouterEventInput | null {
  const event: Payload = envelope.event ?? {};
  const base = {
    platform: 'slack' as const,
    server_id: String(envelope.team_id),
    channel_id: eventChannelId(event),
    user_id: user.user_id,
    user_name: user.username,
    ...(user.display_name ? { display_name: user.display_name } : {}),
    event_id: String(envelope.event_id),
    ...(typeof envelope.event_time === 'number'
      ? { timestamp: new Date(envelope.event_time * 1000).toISOString() }
      : {}),
  };
  const role = user.role ? { platform_role: user.role } : {};
  switch (event.type) {
    case 'message': {
      const inThread = typeof event.thread_ts === 'string' && event.thread_ts !== '';
      return {
        ...base,
        message_content: String(event.text ?? '').slice(0, 5000),
        message_type: 'chatMessage',
        metadata: { message_ts: event.ts, ...(inThread ? { thread_ts: event.thread_ts } : {}), ...role },
        reply_context: { channel: base.channel_id, ...(inThread ? { thread_ts: event.thread_ts } : {}) },
      };
    }
    case 'app_mention':
      return {
        ...base,
        message_content: String(event.text ?? '')
          .replace(/<@[A-Z0-9]+(\|[^>]*)?>/gi, '')
          .replace(/\s+/g, ' ')
          .trim()
          .slice(0, 5000),
        message_type: 'app_mention',
        metadata: {
          message_ts: event.ts,
          ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
          ...role,
        },
        reply_context: {
          channel: base.channel_id,
          ...(event.thread_ts ? { thread_ts: event.thread_ts } : {}),
        },
      };
    case 'reaction_added':
      return {
        ...base,
        message_content: String(event.reaction ?? ''),
        message_type: 'reaction',
        metadata: { reaction: event.reaction, item_ts: event.item?.ts, ...role },
      };
    case 'member_joined_channel':
      return { ...base, message_content: '', message_type: 'channel_join', metadata: { ...role } };
    case 'member_left_channel':
      return { ...base, message_content: '', message_type: 'member_leave', metadata: { ...role } };
    case 'team_join':
      return { ...base, message_content: '', message_type: 'member_join', metadata: {} };
    case 'file_shared':
      return {
        ...base,
        message_content: '',
        message_type: 'file_share',
        metadata: { file_id: event.file_id, ...role },
      };
    default:
      return null;
  }
}
