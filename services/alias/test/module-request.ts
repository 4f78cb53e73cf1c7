import { randomUUID } from 'node:crypto';
import type { ModuleRequestInput, Role } from '@waddlebot/core';

export interface ChatOptions {
  role?: Role;
  platformRole?: Role | null;
  user?: { id: string; name: string; display_name?: string; uid?: string | null };
  community?: string;
  trigger?: 'command' | 'fallback';
  aliasDepth?: number;
  metadata?: Record<string, unknown>;
}

/** Splits like the router (contracts §9.1) for the simple inputs these tests use: quotes group words. */
function tokens(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\")*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]!,
  );
}

/** A ModuleRequest as the router sends it for `message` typed by `user` in community 7, entity twitch:1. */
export function chat(message: string, opts: ChatOptions = {}): ModuleRequestInput {
  const body = message.replace(/^!/, '');
  const [command = '', ...rest] = body.split(/\s+/);
  const argsText = body.slice(command.length).trim();
  const user = opts.user ?? { id: '555', name: 'modmike', display_name: 'ModMike', uid: '311' };
  return {
    session_id: randomUUID(),
    execution_id: randomUUID(),
    trigger_type: opts.trigger ?? 'command',
    message_type: 'chatMessage',
    command: command.toLowerCase(),
    prefix: '!',
    args: rest.length ? tokens(argsText) : [],
    args_text: argsText,
    raw_message: message,
    entity_id: 'twitch:1',
    community_id: opts.community ?? '7',
    platform: 'twitch',
    server_id: '1',
    channel_id: '',
    message_id: 'm1',
    user: { uid: null, ...user },
    user_context: {
      role: opts.role ?? 'moderator',
      platform_role: opts.platformRole === undefined ? (opts.role ?? 'moderator') : opts.platformRole,
      permissions: [],
      labels: [],
    },
    config: {},
    metadata: { message_id: 'm1', ...opts.metadata },
    event_data: null,
    alias_depth: opts.aliasDepth ?? 0,
  };
}

export const mod = (message: string, opts: ChatOptions = {}) => chat(message, { role: 'moderator', ...opts });
export const member = (message: string, opts: ChatOptions = {}) =>
  chat(message, {
    role: 'member',
    platformRole: null,
    user: { id: '777', name: 'bob', display_name: 'Bob' },
    ...opts,
  });
/** The router's fallback request for an unknown `!name args…`. */
export const fallback = (message: string, opts: ChatOptions = {}) =>
  member(message, { trigger: 'fallback', ...opts });
