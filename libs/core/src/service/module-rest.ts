import type { Context } from 'hono';
import { z } from 'zod';
import { parseEntityId } from '../contracts/ids.js';
import type { ModuleErrorCode } from '../contracts/messages.js';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from '../http/errors.js';
import { actingUser, type ActingUser } from './interaction.js';

/**
 * Shared pieces of the management REST routes of per-community modules
 * (`/api/v1/<module>/:community_id/…`, interaction-modules §1.1).
 */

/**
 * `:community_id`: the decimal id, normalised as CommunityIdSchema normalises the router's
 * ("007" → "7", every digit kept), so REST and chat file rows under one key.
 */
export const CommunityIdParam = z
  .string()
  .regex(/^\d{1,20}$/, 'must be a decimal community id')
  .transform((v) => v.replace(/^0+(?=\d)/, ''));

/** A row id in a path: a positive integer. */
export const RowIdParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const CommunityPath = z.object({ community_id: CommunityIdParam });
export const CommunityRowPath = CommunityPath.extend({ id: RowIdParam });

/**
 * An entity a `chat` message can be posted to (contracts §12): `twitch:<broadcaster_id>`,
 * `discord:<guild>:<channel>` or `slack:<team>:<channel>`, never a whole server.
 */
export const ChannelEntityIdSchema = z.string().refine((v) => {
  const parsed = parseEntityId(v);
  if (!parsed) return false;
  return parsed.platform === 'twitch' ? parsed.channel_id === '' : parsed.channel_id !== '';
}, 'must be a channel: twitch:<broadcaster_id>, discord:<guild_id>:<channel_id> or slack:<team_id>:<channel_id>');

/** The acting user of a REST write; a write nobody is named for is a 400, not an anonymous change. */
export function requireActingUser(c: Context): ActingUser & { id: string } {
  const user = actingUser(c);
  if (!user.id)
    throw new ValidationError('X-WaddleBot-User-Id is required', [
      { path: 'X-WaddleBot-User-Id', message: 'Required' },
    ]);
  return { ...user, id: user.id };
}

/** The user key REST rows record when the calling service acts on its own. */
export const SYSTEM_USER_KEY = 'system';

export interface RestActor extends ActingUser {
  /** The user key rows record: the named user's, or `system`. */
  key: string;
  /** True when the trusted caller named no user and acts itself. */
  system: boolean;
}

/**
 * Who a management REST call acts as (interaction-modules §1.1). A call that names a user (any
 * `X-WaddleBot-User-*` header) acts as that user and needs the role chat would need; naming one
 * without `X-WaddleBot-User-Id` is a 400. A call naming nobody is the service-key holder acting
 * itself: recorded as `system`, and as trusted as the key (contracts §6), so it passes every
 * role check.
 */
export function restActor(c: Context): RestActor {
  const named = ['Id', 'Name', 'Role', 'Labels'].some(
    (h) => c.req.header(`X-WaddleBot-User-${h}`) !== undefined,
  );
  if (!named) return { id: null, name: null, role: 'owner', labels: [], key: SYSTEM_USER_KEY, system: true };
  const user = requireActingUser(c);
  return { ...user, key: user.id, system: false };
}

/**
 * A refusal the module's domain words for chat (contracts §10 `error_code`) as the REST error of
 * contracts §5, naming `field` in `details` where one input was at fault.
 */
export function restErrorFor(code: ModuleErrorCode, message: string, field?: string): AppError {
  switch (code) {
    case 'FORBIDDEN':
      return new ForbiddenError(message);
    case 'NOT_FOUND':
      return new NotFoundError(message);
    case 'CONFLICT':
    case 'COOLDOWN':
      return new ConflictError(message);
    case 'UPSTREAM':
    case 'NOT_CONNECTED':
      return new UpstreamError(message);
    case 'USAGE':
    case 'VALIDATION':
    case 'LOOP':
      return new ValidationError(message, [{ path: field ?? '', message }]);
    case 'INTERNAL':
      return new AppError('INTERNAL_ERROR', 'Internal error');
  }
}
