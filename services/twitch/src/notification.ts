import { maxRole, type MessageType, type Role, type RouterEventInput } from '@waddlebot/core';

/** Contracts §4: chat badge set ids → the ladder. */
const BADGE_ROLES: Record<string, Role> = {
  broadcaster: 'owner',
  moderator: 'moderator',
  vip: 'vip',
  subscriber: 'subscriber',
  founder: 'subscriber',
};

export function twitchBadgeRole(badges: { set_id?: string }[]): Role | undefined {
  const roles = badges.map((b) => BADGE_ROLES[b.set_id ?? '']).filter((r): r is Role => r !== undefined);
  return roles.length > 0 ? maxRole(...roles) : undefined;
}

type Fields = Record<string, any>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);

/** The user of an event that can be anonymous (gifts, cheers): `anonymous` when Twitch hides them. */
function userOf(e: Fields, prefix: string) {
  const id = str(e[`${prefix}_id`]);
  if (!id || e.is_anonymous === true)
    return { user_id: 'anonymous', user_name: 'anonymous', display_name: 'Anonymous' };
  const login = str(e[`${prefix}_login`]) || id;
  return { user_id: id, user_name: login, display_name: str(e[`${prefix}_name`]) || login };
}

const badgesOf = (e: Fields): { set_id?: string }[] => (Array.isArray(e.badges) ? e.badges : []);

/** How one EventSub subscription type becomes a RouterEvent (one row of the §5.2 table). */
interface NotificationMapping {
  message_type: MessageType;
  /** Field prefix of the acting user (`user`, `chatter_user`, `from_broadcaster_user`, …). */
  user: string;
  /** Field prefix of the channel the event happened in; the raid names the receiving channel. */
  channel?: string;
  content?: (e: Fields) => string;
  metadata?: (e: Fields) => Record<string, unknown>;
  replyContext?: (e: Fields) => Record<string, unknown>;
}

/** §5.2, one entry per subscription type; unlisted types only go to the raw log. */
const MAPPINGS: Record<string, NotificationMapping> = {
  'channel.chat.message': {
    message_type: 'chatMessage',
    user: 'chatter_user',
    content: (e) => str(e.message?.text),
    metadata: (e) => {
      const role = twitchBadgeRole(badgesOf(e));
      return {
        message_id: str(e.message_id),
        badges: badgesOf(e)
          .map((b) => b.set_id)
          .filter(Boolean),
        ...(role ? { platform_role: role } : {}),
      };
    },
    replyContext: (e) => ({ broadcaster_id: str(e.broadcaster_user_id), message_id: str(e.message_id) }),
  },
  'channel.follow': {
    message_type: 'follow',
    user: 'user',
    metadata: (e) => ({ followed_at: e.followed_at }),
  },
  'channel.subscribe': {
    message_type: 'subscription',
    user: 'user',
    metadata: (e) => ({ tier: e.tier, is_gift: e.is_gift === true }),
  },
  'channel.subscription.gift': {
    message_type: 'subgift',
    user: 'user',
    metadata: (e) => ({
      tier: e.tier,
      total: e.total,
      cumulative_total: e.cumulative_total ?? null,
      is_anonymous: e.is_anonymous === true,
    }),
  },
  'channel.subscription.message': {
    message_type: 'resub',
    user: 'user',
    content: (e) => str(e.message?.text),
    metadata: (e) => ({ cumulative_months: e.cumulative_months, tier: e.tier }),
  },
  'channel.cheer': {
    message_type: 'cheer',
    user: 'user',
    content: (e) => str(e.message),
    metadata: (e) => ({ bits: e.bits }),
  },
  'channel.raid': {
    message_type: 'raid',
    user: 'from_broadcaster_user',
    channel: 'to_broadcaster_user',
    metadata: (e) => ({ viewers: e.viewers }),
  },
  'channel.ban': {
    message_type: 'ban',
    user: 'user',
    content: (e) => str(e.reason),
    metadata: (e) => ({
      reason: e.reason ?? '',
      moderator_user_login: e.moderator_user_login ?? null,
      is_permanent: e.is_permanent === true,
    }),
  },
  'stream.online': {
    message_type: 'stream_online',
    user: 'broadcaster_user',
    metadata: (e) => ({ started_at: e.started_at, type: e.type }),
  },
  'stream.offline': { message_type: 'stream_offline', user: 'broadcaster_user' },
};

/**
 * §5.2: one EventSub notification → RouterEvent (`server_id` = broadcaster, `channel_id` = "",
 * `metadata.broadcaster_login` always set, `event_id` = message id); null for types that only go
 * to the raw log, and for the bot's own chat messages (which EventSub echoes back).
 */
export function mapNotification(
  subscriptionType: string,
  e: Fields,
  messageId: string,
  botUserId: string | undefined,
): RouterEventInput | null {
  const mapping = MAPPINGS[subscriptionType];
  if (!mapping) return null;
  const user = userOf(e, mapping.user);
  if (mapping.message_type === 'chatMessage' && botUserId && user.user_id === botUserId) return null;
  const channel = mapping.channel ?? 'broadcaster_user';
  return {
    platform: 'twitch',
    server_id: str(e[`${channel}_id`]),
    channel_id: '',
    ...user,
    message_content: mapping.content?.(e) ?? '',
    message_type: mapping.message_type,
    event_id: messageId,
    metadata: { broadcaster_login: str(e[`${channel}_login`]), ...mapping.metadata?.(e) },
    ...(mapping.replyContext ? { reply_context: mapping.replyContext(e) } : {}),
  };
}

/** Columns of the raw `twitch_events` row: from the mapped event, else what the payload names. */
export function eventRowFields(mapped: RouterEventInput | null, e: Fields) {
  if (mapped) {
    return {
      broadcaster_user_id: mapped.server_id,
      broadcaster_user_name: str(mapped.metadata?.broadcaster_login) || null,
      user_id: mapped.user_id,
      user_name: mapped.user_name,
    };
  }
  return {
    broadcaster_user_id: str(e.broadcaster_user_id) || null,
    broadcaster_user_name: str(e.broadcaster_user_login) || null,
    user_id: str(e.user_id ?? e.chatter_user_id) || null,
    user_name: str(e.user_login ?? e.chatter_user_login) || null,
  };
}
