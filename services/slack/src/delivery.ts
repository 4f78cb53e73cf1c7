import {
  SLACK_CHAT_LIMITS,
  UpstreamError,
  ValidationError,
  deliverEach,
  platformRequest,
  renderFormText,
  splitText,
  type FormReply,
  type Logger,
  type Reply,
  type ReplyDeliverer,
  type ReplyTarget,
  type ServiceDeps,
} from '@waddlebot/core';
import type { SlackApi } from './slack-api.js';
import type { SlackUsers } from './users.js';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A form as Block Kit: header, description, one section per field, a submit button (§2.3). */
export function formBlocks(form: FormReply): unknown[] {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: form.title.slice(0, 150) } },
  ];
  if (form.description) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: form.description } });
  for (const f of form.fields) {
    const options = f.options?.map((o) => (typeof o === 'string' ? o : o.label)).join(', ');
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${f.label}*${f.required ? ' (required)' : ''} — ${f.type}${options ? `: ${options}` : ''}`,
      },
    });
  }
  const url = form.submit_url ?? form.callback_url;
  if (url)
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open form' }, url }],
    });
  return blocks;
}

/** Reply objects (contracts §11) on Slack: `response_url` when given (allow-listed), else `chat.postMessage` (§4.3, §7.2). */
export class SlackReplyDeliverer implements ReplyDeliverer {
  constructor(
    private readonly api: SlackApi,
    private readonly users: SlackUsers,
    private readonly deps: Pick<ServiceDeps, 'httpClient'> & { logger: Logger; responseUrlHosts: string[] },
  ) {}

  deliver(replies: Reply[], target: ReplyTarget) {
    return deliverEach(replies, this.deps.logger, (reply) => {
      switch (reply.type) {
        case 'chat':
          return this.chat(target, reply.text, reply.ephemeral === true, reply.blocks);
        case 'form':
          return this.chat(target, renderFormText(reply), false, formBlocks(reply));
        case 'dm':
          return this.directMessage(reply.user_id, reply.user_name, reply.text, target);
        case 'delete':
          // chat.delete needs a user token the receiver does not hold (§7.2).
          this.deps.logger.warn('slack delete reply skipped: needs a user token');
          return Promise.resolve(false);
      }
    });
  }

  /** The `response_url` when its host is allow-listed (SSRF guard), else undefined. */
  allowedResponseUrl(value: unknown): URL | undefined {
    const raw = str(value);
    if (!raw) return undefined;
    try {
      const url = new URL(raw);
      const hosts = this.deps.responseUrlHosts;
      if (!['https:', 'http:'].includes(url.protocol) || url.username || url.password) return undefined;
      if (hosts.includes(url.hostname.toLowerCase()) || hosts.includes(url.host.toLowerCase())) return url;
    } catch {
      // not a URL
    }
    this.deps.logger.warn('slack response_url refused: host not allowed');
    return undefined;
  }

  private async chat(
    target: ReplyTarget,
    text: string,
    ephemeral: boolean,
    blocks: unknown[] | undefined,
  ): Promise<boolean> {
    const responseUrl = this.allowedResponseUrl(target.replyContext.response_url);
    const chunks = splitText(text, SLACK_CHAT_LIMITS);
    for (const [i, chunk] of chunks.entries()) {
      const withBlocks = i === 0 && blocks ? { blocks } : {};
      if (responseUrl) {
        const client = this.deps.httpClient(responseUrl.origin, { retries: 0 });
        const res = await platformRequest(
          client,
          responseUrl.pathname + responseUrl.search,
          {
            method: 'POST',
            body: { response_type: ephemeral ? 'ephemeral' : 'in_channel', text: chunk, ...withBlocks },
          },
          { unreachable: 'Slack response_url unreachable' },
        );
        if (!res.ok) throw new UpstreamError('Slack delivery failed');
        continue;
      }
      const channel = target.entity?.channel_id || str(target.replyContext.channel);
      if (!channel)
        throw new ValidationError('Validation failed', [
          { path: 'entity_id', message: 'must name a channel' },
        ]);
      const threadTs = str(target.replyContext.thread_ts);
      await this.api.require('chat.postMessage', {
        channel,
        text: chunk,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...withBlocks,
      });
    }
    return true;
  }

  /** `conversations.open` then `chat.postMessage` in the returned channel. */
  private async directMessage(
    userId: string | undefined,
    userName: string | undefined,
    text: string,
    target: ReplyTarget,
  ): Promise<boolean> {
    const user = userId ?? (await this.users.idByName(userName!, target.entity?.server_id));
    const opened = await this.api.require('conversations.open', { users: user });
    const channel = str(opened.channel?.id);
    if (!channel) throw new UpstreamError('Slack did not open a conversation');
    for (const chunk of splitText(text, SLACK_CHAT_LIMITS))
      await this.api.require('chat.postMessage', { channel, text: chunk });
    return true;
  }
}
