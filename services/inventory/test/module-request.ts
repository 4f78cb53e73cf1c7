import { randomUUID } from 'node:crypto';
import { tokenise, type ModuleRequestInput, type Role } from '@waddlebot/core';

export interface ChatOptions {
  role?: Role;
  user?: { id: string; name: string; display_name?: string; uid?: string | null };
  community?: string;
}

export const MOD_USER = { id: '555', name: 'modmike', display_name: 'ModMike', uid: '311' };

/** A ModuleRequest as the router sends it for `message` typed in community 7, entity twitch:1. */
export function chat(message: string, opts: ChatOptions = {}): ModuleRequestInput {
  const body = message.replace(/^!/, '');
  const [command = ''] = body.split(/\s+/);
  const argsText = body.slice(command.length).trim();
  const role = opts.role ?? 'moderator';
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
    entity_id: 'twitch:1',
    community_id: opts.community ?? '7',
    platform: 'twitch',
    server_id: '1',
    channel_id: '',
    message_id: 'm1',
    user: opts.user ?? MOD_USER,
    user_context: { role, platform_role: null, permissions: [], labels: [] },
    config: {},
    metadata: {},
    event_data: null,
    alias_depth: 0,
  };
}

export const mod = (message: string, opts: ChatOptions = {}) => chat(message, { role: 'moderator', ...opts });
export const admin = (message: string, opts: ChatOptions = {}) => chat(message, { role: 'admin', ...opts });
export const member = (message: string, opts: ChatOptions = {}) =>
  chat(message, { role: 'member', user: { id: '777', name: 'bob', display_name: 'Bob' }, ...opts });
