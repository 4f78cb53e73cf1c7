import type { Role, RouterEventInput } from '@waddlebot/core';
import type { DiscordDeps, DiscordReceiver } from './receiver.js';

type Payload = Record<string, any>;

const VOICE_KEY = (guild: string, user: string) => `discord:voice:${guild}:${user}`;
const BOOST_KEY = (guild: string, user: string) => `discord:boost:${guild}:${user}`;
const DAY = 86_400;
/** A boost first seen this long after `premium_since` is an old one, not a new boost. */
const FRESH_BOOST_MS = 10 * 60_000;

function userOf(u: Payload | undefined, member?: Payload) {
  const id = String(u?.id ?? '');
  const username = String(u?.username ?? id);
  return {
    user_id: id,
    user_name: username,
    display_name: String(member?.nick ?? u?.global_name ?? username),
  };
}

/**
 * §6.2 dispatch handling behind `onDispatch(eventName, data)`: the gateway connection calls it,
 * and tests call it directly with recorded payloads. Keeps the guild role cache current and
 * turns dispatches into RouterEvents for monitored guilds.
 */
export class DiscordDispatchHandler {
  constructor(
    private readonly deps: DiscordDeps,
    private readonly discord: DiscordReceiver,
  ) {}

  async onDispatch(eventName: string, data: Payload): Promise<void> {
    if (!data || typeof data !== 'object') return;
    switch (eventName) {
      case 'GUILD_CREATE':
        return this.guildCreate(data);
      case 'GUILD_UPDATE':
        return this.guildUpdate(data);
      case 'GUILD_DELETE':
        return this.guildDelete(data);
      case 'GUILD_ROLE_CREATE':
      case 'GUILD_ROLE_UPDATE':
        return this.discord.roles.update(String(data.guild_id), (s) => {
          if (data.role?.id) s.roles[data.role.id] = String(data.role.permissions ?? '0');
        });
      case 'GUILD_ROLE_DELETE':
        return this.discord.roles.update(String(data.guild_id), (s) => {
          delete s.roles[String(data.role_id)];
        });
      case 'MESSAGE_CREATE':
        return this.messageCreate(data);
      case 'MESSAGE_REACTION_ADD':
        return this.reactionAdd(data);
      case 'GUILD_MEMBER_ADD':
      case 'GUILD_MEMBER_REMOVE':
        return this.memberEvent(
          eventName,
          data,
          eventName === 'GUILD_MEMBER_ADD' ? 'member_join' : 'member_leave',
        );
      case 'GUILD_BAN_ADD':
        return this.memberEvent(eventName, data, 'ban');
      case 'GUILD_MEMBER_UPDATE':
        return this.memberUpdate(data);
      case 'VOICE_STATE_UPDATE':
        return this.voiceState(data);
      default:
        return;
    }
  }

  /** Contracts §17.5: the bot joining a guild monitors it; a reconnect never undoes an operator's removal. */
  private async guildCreate(g: Payload) {
    if (typeof g.id !== 'string') return;
    const roles = Object.fromEntries(
      (Array.isArray(g.roles) ? g.roles : []).map((r: Payload) => [
        String(r.id),
        String(r.permissions ?? '0'),
      ]),
    );
    await this.discord.roles.replace(g.id, { owner_id: g.owner_id ?? null, roles });
    await this.discord.guilds.upsertServer(
      g.id,
      {
        guild_name: g.name ?? null,
        owner_id: g.owner_id ?? null,
        member_count: typeof g.member_count === 'number' ? g.member_count : null,
      },
      { reactivate: false },
    );
  }

  private async guildUpdate(g: Payload) {
    if (typeof g.id !== 'string') return;
    await this.discord.roles.update(g.id, (s) => {
      s.owner_id = g.owner_id ?? s.owner_id;
    });
    await this.deps.db
      .updateTable('discord_guilds')
      .set({ guild_name: g.name ?? null, owner_id: g.owner_id ?? null, updated_at: this.deps.clock.now() })
      .where('guild_id', '=', g.id)
      .execute();
  }

  /** Removed from a guild (not a mere outage, `unavailable`): stop monitoring it. */
  private async guildDelete(g: Payload) {
    if (typeof g.id !== 'string' || g.unavailable === true) return;
    await this.deps.db
      .updateTable('discord_guilds')
      .set({ is_active: false, updated_at: this.deps.clock.now() })
      .where('guild_id', '=', g.id)
      .execute();
    await this.discord.guilds.monitored.invalidate(g.id);
  }

  private async roleOf(
    guildId: string,
    userId: string,
    member: Payload | undefined,
  ): Promise<Role | undefined> {
    return this.discord.roles.roleOf(
      guildId,
      userId,
      Array.isArray(member?.roles) ? member.roles.map(String) : [],
      await this.discord.ownerOf(guildId),
    );
  }

  private async allowed(guildId: string | undefined, channelId: string): Promise<boolean> {
    if (!guildId) return this.discord.config.DISCORD_ALLOW_DMS;
    return this.discord.guilds.monitored.isMonitored(guildId, channelId);
  }

  /** Records the raw row (dedup) and forwards in the background. */
  private async submit(dispatch: string, event: RouterEventInput, raw: Payload) {
    const fresh = await this.discord.pipeline.record({
      event_id: event.event_id!,
      event_type: dispatch,
      guild_id: event.server_id === 'dm' ? null : event.server_id,
      channel_id: event.channel_id || null,
      user_id: event.user_id,
      user_name: event.user_name,
      event_data: raw,
    });
    if (fresh)
      this.discord.pipeline.background(
        event.event_id!,
        async () => void (await this.discord.pipeline.forwardAndDeliver(event, this.discord.deliverer)),
      );
  }

  /** `<dispatch>:<guild>:<user>:<timestamp>` for non-message events (§6.2). */
  private eventId(dispatch: string, guild: string, user: string) {
    return `${dispatch}:${guild}:${user}:${this.deps.clock.nowMs()}`;
  }

  private async messageCreate(m: Payload) {
    const author = m.author as Payload | undefined;
    if (
      !author ||
      author.bot === true ||
      m.webhook_id ||
      typeof m.content !== 'string' ||
      m.content.trim() === ''
    )
      return;
    const guildId: string | undefined = m.guild_id;
    const channelId = String(m.channel_id ?? '');
    if (!(await this.allowed(guildId, channelId))) return;
    const role = guildId ? await this.roleOf(guildId, String(author.id), m.member) : undefined;
    await this.submit(
      'MESSAGE_CREATE',
      {
        platform: 'discord',
        server_id: guildId ?? 'dm',
        channel_id: channelId,
        ...userOf(author, m.member),
        message_content: m.content.slice(0, 5000),
        message_type: 'chatMessage',
        event_id: String(m.id),
        timestamp: typeof m.timestamp === 'string' ? m.timestamp : undefined,
        metadata: { message_id: String(m.id), ...(role ? { platform_role: role } : {}) },
        reply_context: { channel_id: channelId, message_id: String(m.id) },
      },
      m,
    );
  }

  private async reactionAdd(r: Payload) {
    const user = r.member?.user as Payload | undefined;
    if (user?.bot === true || typeof r.user_id !== 'string') return;
    const guildId: string | undefined = r.guild_id;
    const channelId = String(r.channel_id ?? '');
    if (!(await this.allowed(guildId, channelId))) return;
    const role = guildId ? await this.roleOf(guildId, r.user_id, r.member) : undefined;
    const emoji = r.emoji?.id ? `${r.emoji.name}:${r.emoji.id}` : String(r.emoji?.name ?? '');
    await this.submit(
      'MESSAGE_REACTION_ADD',
      {
        platform: 'discord',
        server_id: guildId ?? 'dm',
        channel_id: channelId,
        ...userOf(user ?? { id: r.user_id }, r.member),
        message_content: emoji,
        message_type: 'reaction',
        event_id: this.eventId('MESSAGE_REACTION_ADD', guildId ?? 'dm', r.user_id),
        metadata: { emoji, message_id: r.message_id, ...(role ? { platform_role: role } : {}) },
      },
      r,
    );
  }

  private async memberEvent(dispatch: string, d: Payload, type: 'member_join' | 'member_leave' | 'ban') {
    const guildId = d.guild_id;
    const user = d.user as Payload | undefined;
    if (typeof guildId !== 'string' || !user?.id || user.bot === true) return;
    if (!(await this.allowed(guildId, ''))) return;
    await this.submit(
      dispatch,
      {
        platform: 'discord',
        server_id: guildId,
        channel_id: '',
        ...userOf(user, d),
        message_content: '',
        message_type: type,
        event_id: this.eventId(dispatch, guildId, String(user.id)),
        metadata: type === 'member_join' && d.joined_at ? { joined_at: d.joined_at } : {},
      },
      d,
    );
  }

  /** `boost` when `premium_since` goes from unset to set (§6.2). */
  private async memberUpdate(d: Payload) {
    const guildId = d.guild_id;
    const user = d.user as Payload | undefined;
    if (typeof guildId !== 'string' || !user?.id) return;
    const key = BOOST_KEY(guildId, String(user.id));
    if (!d.premium_since) {
      await this.deps.state.kv.del(key);
      return;
    }
    const previous = await this.deps.state.kv.get(key);
    await this.deps.state.kv.set(key, String(d.premium_since), 400 * DAY);
    if (previous !== null) return;
    if (this.deps.clock.nowMs() - Date.parse(d.premium_since) > FRESH_BOOST_MS) return;
    if (!(await this.allowed(guildId, ''))) return;
    await this.submit(
      'GUILD_MEMBER_UPDATE',
      {
        platform: 'discord',
        server_id: guildId,
        channel_id: '',
        ...userOf(user, d),
        message_content: '',
        message_type: 'boost',
        event_id: this.eventId('GUILD_MEMBER_UPDATE', guildId, String(user.id)),
        metadata: { premium_since: d.premium_since },
      },
      d,
    );
  }

  /** Join (no session) → voice_join; leave → voice_leave then voice_time with whole minutes (§6.2). */
  private async voiceState(v: Payload) {
    const guildId = v.guild_id;
    const userId = v.user_id;
    if (typeof guildId !== 'string' || typeof userId !== 'string' || v.member?.user?.bot === true) return;
    const key = VOICE_KEY(guildId, userId);
    const kv = this.deps.state.kv;
    const raw = await kv.get(key);
    const session = raw ? (JSON.parse(raw) as { channel_id: string; started_ms: number }) : null;
    const now = this.deps.clock.nowMs();
    const user = userOf(v.member?.user ?? { id: userId }, v.member);
    const base = { platform: 'discord' as const, server_id: guildId, ...user, message_content: '' };
    if (v.channel_id && !session) {
      await kv.set(key, JSON.stringify({ channel_id: String(v.channel_id), started_ms: now }), DAY);
      if (!(await this.allowed(guildId, String(v.channel_id)))) return;
      await this.submit(
        'VOICE_STATE_UPDATE',
        {
          ...base,
          channel_id: String(v.channel_id),
          message_type: 'voice_join',
          event_id: this.eventId('VOICE_STATE_UPDATE', guildId, userId),
          metadata: {},
        },
        v,
      );
      return;
    }
    if (v.channel_id && session) {
      // Moving between channels keeps the session running.
      if (session.channel_id !== String(v.channel_id))
        await kv.set(key, JSON.stringify({ ...session, channel_id: String(v.channel_id) }), DAY);
      return;
    }
    if (!v.channel_id && session) {
      await kv.del(key);
      if (!(await this.allowed(guildId, session.channel_id))) return;
      const id = this.eventId('VOICE_STATE_UPDATE', guildId, userId);
      await this.submit(
        'VOICE_STATE_UPDATE',
        { ...base, channel_id: session.channel_id, message_type: 'voice_leave', event_id: id, metadata: {} },
        v,
      );
      const minutes = Math.floor((now - session.started_ms) / 60_000);
      await this.submit(
        'VOICE_STATE_UPDATE',
        {
          ...base,
          channel_id: session.channel_id,
          message_type: 'voice_time',
          event_id: `${id}:voice_time`,
          metadata: { minutes },
        },
        v,
      );
    }
  }
}
