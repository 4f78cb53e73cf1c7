import { randomUUID } from 'node:crypto';
import { parseEntityId, tokenise, type ModuleRequestInput, type Role } from '@waddlebot/core';

export interface ChatUser {
  id: string;
  name: string;
  uid?: string | null;
}

export interface ChatOptions {
  /** Where the message was typed; default `twitch:1001`. */
  entity?: string;
  /** The entity's community as the router resolved it; default the Global community. */
  community?: number | string;
  /** `user_context.role` (effective role); default member. */
  role?: Role;
  platformRole?: Role | null;
  permissions?: string[];
}

/** A ModuleRequest as the router sends it for `!community …` typed by `user` (contracts §9). */
export function chat(user: ChatUser, message: string, opts: ChatOptions = {}): ModuleRequestInput {
  const entity = opts.entity ?? 'twitch:1001';
  const parsed = parseEntityId(entity)!;
  const body = message.replace(/^!/, '');
  const [command = ''] = body.split(/\s+/);
  const argsText = body.slice(command.length).trim();
  return {
    session_id: randomUUID(),
    execution_id: randomUUID(),
    trigger_type: 'command',
    message_type: 'chatMessage',
    command: command.toLowerCase(),
    prefix: '!',
    args: tokenise(argsText),
    args_text: argsText,
    raw_message: message,
    entity_id: entity,
    community_id: String(opts.community ?? 1),
    platform: parsed.platform,
    server_id: parsed.server_id,
    channel_id: parsed.channel_id,
    message_id: 'm1',
    user: { id: user.id, name: user.name, uid: user.uid ?? null },
    user_context: {
      role: opts.role ?? 'member',
      platform_role: opts.platformRole ?? null,
      permissions: opts.permissions ?? [],
      labels: [],
    },
    config: {},
    metadata: {},
    event_data: null,
    alias_depth: 0,
  };
}
