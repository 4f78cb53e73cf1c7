import type { RouterEventInput } from '@waddlebot/core';
import type { SlackUser } from './users.js';

/** The fields of a slash-command POST (§7.3). */
export interface SlashCommand {
  command: string;
  text: string;
  userId: string;
  userName: string;
  teamId: string;
  channelId: string;
  responseUrl: string | undefined;
  triggerId: string;
}

/** The slash command of a form, or the name of the first required field it lacks. */
export function readSlashCommand(form: URLSearchParams): SlashCommand | string {
  const missing = ['command', 'team_id', 'user_id', 'trigger_id'].find((field) => !form.get(field));
  if (missing) return missing;
  const userId = form.get('user_id')!;
  return {
    command: form.get('command')!,
    text: (form.get('text') ?? '').trim(),
    userId,
    userName: form.get('user_name') || `User-${userId}`,
    teamId: form.get('team_id')!,
    channelId: form.get('channel_id') ?? '',
    responseUrl: form.get('response_url') || undefined,
    triggerId: form.get('trigger_id')!,
  };
}

/** `status` is answered by the receiver itself; everything else goes to the router. */
export function isStatusRequest(cmd: SlashCommand): boolean {
  return cmd.text.split(/\s+/)[0]?.toLowerCase() === 'status';
}

/** `!<first word of text or 'help'> <rest>` (§7.3). */
export function slashContent(text: string): string {
  const [first = 'help', ...rest] = text.split(/\s+/).filter(Boolean);
  return `!${first.replace(/^[!#]/, '')}${rest.length ? ` ${rest.join(' ')}` : ''}`.slice(0, 5000);
}

export function slashEvent(cmd: SlashCommand, user: SlackUser): RouterEventInput {
  return {
    platform: 'slack',
    server_id: cmd.teamId,
    channel_id: cmd.channelId,
    user_id: cmd.userId,
    user_name: cmd.userName,
    ...(user.display_name ? { display_name: user.display_name } : {}),
    message_content: slashContent(cmd.text),
    message_type: 'slashCommand',
    event_id: cmd.triggerId,
    metadata: {
      command: cmd.command,
      trigger_id: cmd.triggerId,
      ...(user.role ? { platform_role: user.role } : {}),
    },
    reply_context: { ...(cmd.responseUrl ? { response_url: cmd.responseUrl } : {}), channel: cmd.channelId },
  };
}
