import { randomUUID } from 'node:crypto';
import type { ModuleRequestInput, Role } from '@waddlebot/core';

export interface ChatOptions {
  role?: Role;
  labels?: string[];
  user?: { id: string; name: string; display_name?: string; uid?: string | null };
  community?: string;
  entity?: string;
}

/** Splits like the router (contracts §9.1) for the inputs these tests use: quotes group words. */
function tokens(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\")*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!,
  );
}

/** A ModuleRequest as the router sends it for `message` typed in community 7, entity twitch:1. */
export function chat(message: string, opts: ChatOptions = {}): ModuleRequestInput {
  const body = message.replace(/^!/, '');
  const [command = ''] = body.split(/\s+/);
  const argsText = body.slice(command.length).trim();
  const user = opts.user ?? { id: '555', name: 'modmike', display_name: 'ModMike', uid: '311' };
  const role = opts.role ?? 'moderator';
  return {
    session_id: randomUUID(),
    execution_id: randomUUID(),
    trigger_type: 'command',
    message_type: 'chatMessage',
    command: command.toLowerCase(),
    prefix: '!',
    args: argsText ? tokens(argsText) : [],
    args_text: argsText,
    raw_message: message,
    entity_id: opts.entity ?? 'twitch:1',
    community_id: opts.community ?? '7',
    platform: 'twitch',
    server_id: '1',
    channel_id: '',
    message_id: 'm1',
    user: { uid: null, ...user },
    user_context: { role, platform_role: null, permissions: [], labels: opts.labels ?? [] },
    config: {},
    metadata: {},
    event_data: null,
    alias_depth: 0,
  };
}

export const mod = (message: string, opts: ChatOptions = {}) => chat(message, { role: 'moderator', ...opts });
export const member = (message: string, opts: ChatOptions = {}) =>
  chat(message, { role: 'member', user: { id: '777', name: 'bob', display_name: 'Bob' }, ...opts });
