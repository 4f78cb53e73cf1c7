import {
  NotFoundError,
  TWITCH_CHAT_LIMITS,
  UpstreamError,
  ValidationError,
  deliverEach,
  renderFormText,
  splitText,
  type Logger,
  type Reply,
  type ReplyDeliverer,
  type ReplyTarget,
} from '@waddlebot/core';
import type { Helix } from './helix.js';

type ChatSendResult = {
  data?: {
    message_id?: string;
    is_sent?: boolean;
    drop_reason?: { code?: string; message?: string } | null;
  }[];
};

/** Reply objects (contracts §11) delivered through Helix (§5.3). */
export class TwitchReplyDeliverer implements ReplyDeliverer {
  constructor(
    private readonly helix: Helix,
    private readonly logger: Logger,
  ) {}

  deliver(replies: Reply[], target: ReplyTarget) {
    return deliverEach(replies, this.logger, (reply) => {
      switch (reply.type) {
        case 'chat':
          return this.chat(target, reply.text, reply.reply_to ?? stringOf(target.replyContext.message_id));
        case 'form':
          return this.chat(target, renderFormText(reply), undefined);
        case 'dm':
          return this.whisper(reply.user_id, reply.user_name, reply.text);
        case 'delete':
          return this.deleteMessage(target, reply.message_id);
      }
    });
  }

  private broadcasterOf(target: ReplyTarget): string {
    const id = target.entity?.server_id ?? stringOf(target.replyContext.broadcaster_id);
    if (!id)
      throw new ValidationError('Validation failed', [
        { path: 'entity_id', message: 'required for chat replies' },
      ]);
    return id;
  }

  /** `POST /chat/messages` as the bot with the app token; long texts split to ≤ 490-char chunks. */
  private async chat(target: ReplyTarget, text: string, replyTo: string | undefined): Promise<boolean> {
    const broadcasterId = this.broadcasterOf(target);
    const senderId = this.helix.botUserId();
    let sent = false;
    for (const [i, chunk] of splitText(text, TWITCH_CHAT_LIMITS).entries()) {
      const res = await this.helix.asApp<ChatSendResult>('/chat/messages', {
        method: 'POST',
        body: {
          broadcaster_id: broadcasterId,
          sender_id: senderId,
          message: chunk,
          ...(replyTo && i === 0 ? { reply_parent_message_id: replyTo } : {}),
        },
      });
      if (!res.ok) {
        this.logger.error('twitch chat delivery failed', {
          status: res.status,
          broadcaster_id: broadcasterId,
        });
        throw new UpstreamError('Twitch chat delivery failed');
      }
      const result = res.body?.data?.[0];
      if (result && result.is_sent === false) {
        this.logger.warn('twitch dropped a chat message', {
          broadcaster_id: broadcasterId,
          drop_reason: result.drop_reason?.code ?? null,
        });
        continue;
      }
      sent = true;
    }
    return sent;
  }

  /** `POST /whispers` with the bot's user token (app tokens are rejected for whispers). */
  private async whisper(
    userId: string | undefined,
    userName: string | undefined,
    text: string,
  ): Promise<boolean> {
    const botId = this.helix.botUserId();
    const to = userId ?? (await this.helix.userByLogin(userName!)).id;
    for (const chunk of splitText(text, TWITCH_CHAT_LIMITS)) {
      let res;
      try {
        res = await this.helix.asUser(botId, '/whispers', {
          method: 'POST',
          query: { from_user_id: botId, to_user_id: to },
          body: { message: chunk },
        });
      } catch (err) {
        if (err instanceof NotFoundError)
          throw new UpstreamError('The bot account has not authorised whispers');
        throw err;
      }
      if (!res.ok) {
        this.logger.error('twitch whisper failed', { status: res.status });
        throw new UpstreamError('Twitch whisper delivery failed');
      }
    }
    return true;
  }

  /** `DELETE /moderation/chat` with the bot's user token; failures are logged, not raised (§5.3). */
  private async deleteMessage(target: ReplyTarget, messageId: string): Promise<boolean> {
    try {
      const botId = this.helix.botUserId();
      const res = await this.helix.asUser(botId, '/moderation/chat', {
        method: 'DELETE',
        query: { broadcaster_id: this.broadcasterOf(target), moderator_id: botId, message_id: messageId },
      });
      if (res.ok) return true;
      this.logger.warn('twitch message delete refused', { status: res.status });
    } catch (err) {
      this.logger.warn('twitch message delete failed', { error: (err as Error).name });
    }
    return false;
  }
}

function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
