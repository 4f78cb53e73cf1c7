import { randomUUID } from 'node:crypto';
import { parseEntityId } from '../contracts/ids.js';
import { tokenise } from '../contracts/tokenise.js';
import type { ModuleRequestInput } from '../contracts/messages.js';
import type { Role } from '../contracts/roles.js';

export interface RequestUser {
  id: string;
  name: string;
  display_name?: string;
  uid?: string | null;
}

export interface ModuleRequestOptions {
  /** Where the message was typed; default `twitch:1`. */
  entity?: string;
  /** The entity's community as the router resolved it; default `7`. */
  community?: string | number;
  /** `user_context.role`, the effective role; default moderator. */
  role?: Role;
  /** `user_context.platform_role`; default none. */
  platformRole?: Role | null;
  permissions?: string[];
  labels?: string[];
  user?: RequestUser;
  trigger?: 'command' | 'fallback';
  aliasDepth?: number;
  metadata?: Record<string, unknown>;
}

export const MODERATOR_USER: RequestUser = {
  id: '555',
  name: 'modmike',
  display_name: 'ModMike',
  uid: '311',
};
export const MEMBER_USER: RequestUser = { id: '777', name: 'bob', display_name: 'Bob', uid: null };

/**
 * The ModuleRequest the router sends for `message` (contracts §9): command and arguments split by
 * the same tokeniser, so module tests see exactly what chat would give them.
 */
export function moduleRequest(message: string, opts: ModuleRequestOptions = {}): ModuleRequestInput {
  const entity = opts.entity ?? 'twitch:1';
  const where = parseEntityId(entity);
  if (!where) throw new Error(`not an entity id: ${entity}`);
  const body = message.replace(/^!/, '');
  const [command = ''] = body.split(/\s+/);
  const argsText = body.slice(command.length).trim();
  const user = opts.user ?? MODERATOR_USER;
  return {
    session_id: randomUUID(),
    execution_id: randomUUID(),
    trigger_type: opts.trigger ?? 'command',
    message_type: 'chatMessage',
    command: command.toLowerCase(),
    prefix: '!',
    args: tokenise(argsText),
    args_text: argsText,
    raw_message: message,
    entity_id: entity,
    community_id: String(opts.community ?? 7),
    platform: where.platform,
    server_id: where.server_id,
    channel_id: where.channel_id,
    message_id: 'm1',
    user: { ...user, uid: user.uid ?? null },
    user_context: {
      role: opts.role ?? 'moderator',
      platform_role: opts.platformRole ?? null,
      permissions: opts.permissions ?? [],
      labels: opts.labels ?? [],
    },
    config: {},
    metadata: { message_id: 'm1', ...opts.metadata },
    event_data: null,
    alias_depth: opts.aliasDepth ?? 0,
  };
}

export const moderatorRequest = (message: string, opts: ModuleRequestOptions = {}) =>
  moduleRequest(message, { role: 'moderator', ...opts });
export const adminRequest = (message: string, opts: ModuleRequestOptions = {}) =>
  moduleRequest(message, { role: 'admin', ...opts });
export const memberRequest = (message: string, opts: ModuleRequestOptions = {}) =>
  moduleRequest(message, { role: 'member', user: MEMBER_USER, ...opts });
