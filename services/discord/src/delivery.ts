import { createHash } from 'node:crypto';
import {
  DISCORD_CHAT_LIMITS,
  NotFoundError,
  UpstreamError,
  ValidationError,
  deliverEach,
  renderFormText,
  splitText,
  type Clock,
  type KeyValueStore,
  type Logger,
  type Reply,
  type ReplyDeliverer,
  type ReplyTarget,
} from '@waddlebot/core';
import type { DiscordApi } from './discord-api.js';

/** Interaction tokens stay valid for 15 minutes (§4.3, §6.1). */
const INTERACTION_TOKEN_MS = 15 * 60_000;
const EPHEMERAL = 64;
const NO_MENTIONS = { parse: [] as string[] };

type ChatReply = Extract<Reply, { type: 'chat' }>;

/** An interaction the replies answer: deferred (`{type:5}`) or a component's deferred update (`{type:6}`). */
interface InteractionHandle {
  applicationId: string;
  token: string;
  interactionId: string;
  /** Component interactions defer an update of the message that holds the component: never edit it. */
  originalIsOurs: boolean;
}

/** Discord no longer accepts the interaction's token; the channel is the fallback. */
class InteractionTokenRefused extends UpstreamError {}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reply objects (contracts §11) on Discord: interaction edits/follow-ups, channel messages, DMs (§6.1, §6.2). */
export class DiscordReplyDeliverer implements ReplyDeliverer {
  constructor(
    private readonly api: DiscordApi,
    private readonly deps: {
      kv: KeyValueStore;
      clock: Clock;
      logger: Logger;
      monitoredGuilds: () => Promise<string[]>;
    },
  ) {}

  /**
   * The interaction to answer, when reply_context has a token that may still be valid. A context
   * without `interaction_created_at` (a caller that built it by hand, contracts §11) is tried;
   * Discord refusing its token then sends the replies to the channel instead.
   */
  private interactionOf(target: ReplyTarget): InteractionHandle | null {
    const ctx = target.replyContext;
    const token = str(ctx.interaction_token);
    const applicationId = str(ctx.application_id);
    if (!token || !applicationId) return null;
    const issued = Date.parse(String(ctx.interaction_created_at ?? ''));
    if (Number.isFinite(issued) && this.deps.clock.nowMs() - issued >= INTERACTION_TOKEN_MS) return null;
    return {
      applicationId,
      token,
      // Keys the answered-once flag in shared state, which must not hold the token itself.
      interactionId: str(ctx.interaction_id) ?? createHash('sha256').update(token).digest('hex'),
      originalIsOurs: ctx.interaction_type !== 3,
    };
  }

  async deliver(replies: Reply[], target: ReplyTarget) {
    let interaction = this.interactionOf(target);
    /** The interaction while its token works, else the channel (§4.3). */
    const answer = async (reply: ChatReply) => {
      if (interaction) {
        try {
          return await this.answerInteraction(interaction, reply);
        } catch (err) {
          if (!(err instanceof InteractionTokenRefused) || !this.hasChannel(target)) throw err;
          this.deps.logger.warn('discord refused the interaction token; replying in the channel');
          interaction = null;
        }
      }
      return this.channelMessage(
        target,
        reply.text,
        reply.reply_to ?? str(target.replyContext.message_id),
        reply.embed,
      );
    };
    const report = await deliverEach(replies, this.deps.logger, (reply) => {
      switch (reply.type) {
        case 'chat':
          return answer(reply);
        case 'form':
          // A modal cannot follow a deferral (§6.1), so forms are rendered as text.
          return answer({ type: 'chat', text: renderFormText(reply) });
        case 'dm':
          return this.directMessage(reply.user_id, reply.user_name, reply.text, target);
        case 'delete':
          return this.deleteMessage(target, reply.message_id);
      }
    });
    // A deferred slash command must not stay "thinking": no replies → "Done." (§6.1).
    if (interaction && interaction.originalIsOurs && replies.length === 0)
      await this.answerInteraction(interaction, { type: 'chat', text: 'Done.' }).catch(() => undefined);
    return report;
  }

  /** Edits the deferred original once, later replies are follow-ups; an ephemeral first reply replaces the public deferral. */
  async answerInteraction(
    ix: InteractionHandle,
    reply: Pick<ChatReply, 'text' | 'ephemeral' | 'embed'> & { type: 'chat' },
  ): Promise<boolean> {
    const chunks = splitText(reply.text, DISCORD_CHAT_LIMITS);
    for (const [i, content] of chunks.entries()) {
      const embeds = i === 0 && reply.embed ? [reply.embed] : undefined;
      const firstAnswer =
        ix.originalIsOurs &&
        (await this.deps.kv.setIfAbsent(
          `discord:interaction:${ix.interactionId}:answered`,
          '1',
          INTERACTION_TOKEN_MS / 1000,
        ));
      if (firstAnswer && !reply.ephemeral) {
        await this.expectOk(
          this.api.interactionWebhook(ix.applicationId, ix.token, '/messages/@original', {
            method: 'PATCH',
            body: { content, ...(embeds ? { embeds } : {}), allowed_mentions: NO_MENTIONS },
          }),
          'edit original',
          true,
        );
        continue;
      }
      if (firstAnswer) {
        // The deferral is public; an ephemeral answer must delete it and follow up privately.
        await this.expectOk(
          this.api.interactionWebhook(ix.applicationId, ix.token, '/messages/@original', {
            method: 'DELETE',
          }),
          'delete original',
          true,
        );
      }
      await this.expectOk(
        this.api.interactionWebhook(ix.applicationId, ix.token, '', {
          method: 'POST',
          body: {
            content,
            ...(embeds ? { embeds } : {}),
            allowed_mentions: NO_MENTIONS,
            ...(reply.ephemeral ? { flags: EPHEMERAL } : {}),
          },
        }),
        'follow-up',
        true,
      );
    }
    return true;
  }

  private async expectOk(
    pending: Promise<{ ok: boolean; status: number }>,
    what: string,
    viaInteractionToken = false,
  ) {
    const res = await pending;
    if (!res.ok) {
      this.deps.logger.error(`discord ${what} failed`, { status: res.status });
      // 401 Invalid Webhook Token / 404 Unknown Webhook: the interaction token is expired or unknown.
      if (viaInteractionToken && (res.status === 401 || res.status === 404))
        throw new InteractionTokenRefused('Discord delivery failed');
      throw new UpstreamError('Discord delivery failed');
    }
  }

  private hasChannel(target: ReplyTarget): boolean {
    return Boolean(target.entity?.channel_id || str(target.replyContext.channel_id));
  }

  private channelOf(target: ReplyTarget): string {
    const channel = target.entity?.channel_id || str(target.replyContext.channel_id);
    if (!channel)
      throw new ValidationError('Validation failed', [{ path: 'entity_id', message: 'must name a channel' }]);
    return channel;
  }

  /** `POST /channels/{id}/messages`, split at 2000 chars (max 3), the first chunk replying to the trigger. */
  async channelMessage(
    target: ReplyTarget,
    text: string,
    replyTo: string | undefined,
    embed: Record<string, unknown> | undefined,
  ): Promise<boolean> {
    const channelId = this.channelOf(target);
    for (const [i, content] of splitText(text, DISCORD_CHAT_LIMITS).entries()) {
      const body = {
        content,
        allowed_mentions: NO_MENTIONS,
        ...(i === 0 && replyTo
          ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } }
          : {}),
        ...(i === 0 && embed ? { embeds: [embed] } : {}),
      };
      await this.expectOk(
        this.api.asBot(`/channels/${channelId}/messages`, { method: 'POST', body }),
        'channel message',
      );
    }
    return true;
  }

  /** Exact username over the monitored guilds (the target's guild first); 404 when nobody matches. */
  private async resolveUserName(name: string, target: ReplyTarget): Promise<string> {
    const wanted = name.replace(/^@/, '').toLowerCase();
    const guilds = await this.deps.monitoredGuilds();
    const own = target.entity?.server_id;
    const ordered = own && guilds.includes(own) ? [own, ...guilds.filter((g) => g !== own)] : guilds;
    for (const guildId of ordered.slice(0, 25)) {
      const res = await this.api.asBot<{ user?: { id: string; username: string } }[]>(
        `/guilds/${guildId}/members/search`,
        { query: { query: wanted, limit: 10 } },
      );
      if (!res.ok || !Array.isArray(res.body)) continue;
      const hit = res.body.find((m) => m.user?.username?.toLowerCase() === wanted);
      if (hit?.user) return hit.user.id;
    }
    throw new NotFoundError('Discord user not found');
  }

  /** `POST /users/@me/channels` then a message there; a user who blocks DMs → 502. */
  private async directMessage(
    userId: string | undefined,
    userName: string | undefined,
    text: string,
    target: ReplyTarget,
  ): Promise<boolean> {
    const recipient = userId ?? (await this.resolveUserName(userName!, target));
    const opened = await this.api.asBot<{ id?: string }>('/users/@me/channels', {
      method: 'POST',
      body: { recipient_id: recipient },
    });
    if (!opened.ok || !opened.body?.id) throw new UpstreamError('Could not open a direct message');
    for (const content of splitText(text, DISCORD_CHAT_LIMITS)) {
      const res = await this.api.asBot(`/channels/${opened.body.id}/messages`, {
        method: 'POST',
        body: { content, allowed_mentions: NO_MENTIONS },
      });
      if (!res.ok)
        throw new UpstreamError(
          res.status === 403 ? 'The user does not accept direct messages' : 'Discord delivery failed',
        );
    }
    return true;
  }

  /** `DELETE /channels/{channel}/messages/{id}`; failures are logged, not raised. */
  private async deleteMessage(target: ReplyTarget, messageId: string): Promise<boolean> {
    try {
      const res = await this.api.asBot(
        `/channels/${this.channelOf(target)}/messages/${encodeURIComponent(messageId)}`,
        { method: 'DELETE' },
      );
      if (res.ok) return true;
      this.deps.logger.warn('discord message delete refused', { status: res.status });
    } catch (err) {
      this.deps.logger.warn('discord message delete failed', { error: (err as Error).name });
    }
    return false;
  }
}
