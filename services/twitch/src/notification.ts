import { maxRole, type Role, type RouterEventInput } from '@waddlebot/core';

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

export interface MappedNotification {
  event: RouterEventInput;
}

const str = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);

/** The user of an event that can be anonymous (gifts, cheers): `anonymous` when Twitch hides them. */
function userOf(e: Fields, prefix = 'user') {
  const id = str(e[`${prefix}_id`]);
  if (!id || e.is_anonymous === true)
    return { user_id: 'anonymous', user_name: 'anonymous', display_name: 'Anonymous' };
  const login = str(e[`${prefix}_login`]) || id;
  return { user_id: id, user_name: login, display_name: str(e[`${prefix}_name`]) || login };
}

/**
 * §5.2: one EventSub notification → RouterEvent; null for types that only go to the raw log, and
 * for the bot's own chat messages (which EventSub echoes back).
 */
export function mapNotification(
  subscriptionType: string,
  e: Fields,
  messageId: string,
  botUserId: string | undefined,
): MappedNotification | null {
  const base = (server: string, login: string) => ({
    platform: 'twitch' as const,
    server_id: server,
    channel_id: '',
    event_id: messageId,
    metadata: { broadcaster_login: login } as Record<string, unknown>,
  });
  const broadcaster = () => base(str(e.broadcaster_user_id), str(e.broadcaster_user_login));
  switch (subscriptionType) {
    case 'channel.chat.message': {
      if (botUserId && str(e.chatter_user_id) === botUserId) return null;
      const badges: { set_id?: string }[] = Array.isArray(e.badges) ? e.badges : [];
      const role = twitchBadgeRole(badges);
      const b = broadcaster();
      const messageIdOfChat = str(e.message_id);
      return {
        event: {
          ...b,
          user_id: str(e.chatter_user_id),
          user_name: str(e.chatter_user_login),
          display_name: str(e.chatter_user_name) || undefined,
          message_content: str(e.message?.text),
          message_type: 'chatMessage',
          metadata: {
            ...b.metadata,
            message_id: messageIdOfChat,
            badges: badges.map((x) => x.set_id).filter(Boolean),
            ...(role ? { platform_role: role } : {}),
          },
          reply_context: { broadcaster_id: b.server_id, message_id: messageIdOfChat },
        },
      };
    }
    case 'channel.follow': {
      const b = broadcaster();
      return {
        event: {
          ...b,
          ...userOf(e),
          message_content: '',
          message_type: 'follow',
          metadata: { ...b.metadata, followed_at: e.followed_at },
        },
      };
    }
    case 'channel.subscribe': {
      const b = broadcaster();
      return {
        event: {
          ...b,
          ...userOf(e),
          message_content: '',
          message_type: 'subscription',
          metadata: { ...b.metadata, tier: e.tier, is_gift: e.is_gift === true },
        },
      };
    }
    case 'channel.subscription.gift': {
      const b = broadcaster();
      return {
        event: {
          ...b,
          ...userOf(e),
          message_content: '',
          message_type: 'subgift',
          metadata: {
            ...b.metadata,
            tier: e.tier,
            total: e.total,
            cumulative_total: e.cumulative_total ?? null,
            is_anonymous: e.is_anonymous === true,
          },
        },
      };
    }
    case 'channel.subscription.message': {
      const b = broadcaster();
      return {
        event: {
          ...b,
          ...userOf(e),
          message_content: str(e.message?.text),
          message_type: 'resub',
          metadata: { ...b.metadata, cumulative_months: e.cumulative_months, tier: e.tier },
        },
      };
    }
    case 'channel.cheer': {
      const b = broadcaster();
      return {
        event: {
          ...b,
          ...userOf(e),
          message_content: str(e.message),
          message_type: 'cheer',
          metadata: { ...b.metadata, bits: e.bits },
        },
      };
    }
    case 'channel.raid': {
      const b = base(str(e.to_broadcaster_user_id), str(e.to_broadcaster_user_login));
      return {
        event: {
          ...b,
          ...userOf(e, 'from_broadcaster_user'),
          message_content: '',
          message_type: 'raid',
          metadata: { ...b.metadata, viewers: e.viewers },
        },
      };
    }
    case 'channel.ban': {
      const b = broadcaster();
      return {
        event: {
          ...b,
          ...userOf(e),
          message_content: str(e.reason),
          message_type: 'ban',
          metadata: {
            ...b.metadata,
            reason: e.reason ?? '',
            moderator_user_login: e.moderator_user_login ?? null,
            is_permanent: e.is_permanent === true,
          },
        },
      };
    }
    case 'stream.online':
    case 'stream.offline': {
      const b = broadcaster();
      const online = subscriptionType === 'stream.online';
      return {
        event: {
          ...b,
          ...userOf(e, 'broadcaster_user'),
          message_content: '',
          message_type: online ? 'stream_online' : 'stream_offline',
          metadata: { ...b.metadata, ...(online ? { started_at: e.started_at, type: e.type } : {}) },
        },
      };
    }
    default:
      return null;
  }
}

/** Columns of the raw `twitch_events` row: from the mapped event, else what the payload names. */
export function eventRowFields(mapped: MappedNotification | null, e: Fields) {
  if (mapped) {
    return {
      broadcaster_user_id: mapped.event.server_id,
      broadcaster_user_name: str(mapped.event.metadata?.broadcaster_login) || null,
      user_id: mapped.event.user_id,
      user_name: mapped.event.user_name,
    };
  }
  return {
    broadcaster_user_id: str(e.broadcaster_user_id) || null,
    broadcaster_user_name: str(e.broadcaster_user_login) || null,
    user_id: str(e.user_id ?? e.chatter_user_id) || null,
    user_name: str(e.user_login ?? e.chatter_user_login) || null,
  };
}
