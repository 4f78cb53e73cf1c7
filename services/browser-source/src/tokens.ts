import { randomBytes } from 'node:crypto';
import type { Clock } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { BrowserSourceDB } from './db.js';
import { SOURCE_TYPES, type SourceType } from './source-types.js';

export interface TokenDeps {
  db: Kysely<BrowserSourceDB>;
  clock: Clock;
  /** Random bytes per token (TOKEN_LENGTH); URL-safe base64 of them is the token. */
  tokenBytes: number;
  baseUrl: string;
}

export interface OverlayToken {
  id: number;
  community_id: number;
  source_type: SourceType;
  token: string;
  created_at: Date;
}

export function newToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function overlayUrl(baseUrl: string, token: string, sourceType: SourceType): string {
  return `${baseUrl}/browser/source/${token}/${sourceType}`;
}

/**
 * One active token per community and type: missing ones are created, a deactivated one is
 * re-issued with a fresh token, active ones come back unchanged. Concurrent callers converge on
 * the same rows through the unique (community_id, source_type) key.
 */
export async function ensureCommunityTokens(
  deps: TokenDeps,
  communityId: number,
): Promise<Record<SourceType, OverlayToken>> {
  const now = deps.clock.now();
  await deps.db
    .insertInto('browser_source_tokens')
    .values(
      SOURCE_TYPES.map((source_type) => ({
        community_id: communityId,
        source_type,
        token: newToken(deps.tokenBytes),
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['community_id', 'source_type'])
        .doUpdateSet((eb) => ({
          token: eb.ref('excluded.token'),
          is_active: true,
          created_at: now,
          updated_at: now,
        }))
        .where('browser_source_tokens.is_active', '=', false),
    )
    .execute();
  const rows = await deps.db
    .selectFrom('browser_source_tokens')
    .select(['id', 'community_id', 'source_type', 'token', 'created_at'])
    .where('community_id', '=', communityId)
    .where('is_active', '=', true)
    .execute();
  const byType = Object.fromEntries(rows.map((r) => [r.source_type, r])) as Record<SourceType, OverlayToken>;
  for (const type of SOURCE_TYPES)
    if (!byType[type]) throw new Error(`token for ${type} missing after upsert`);
  return byType;
}

export async function findActiveToken(
  db: Kysely<BrowserSourceDB>,
  token: string,
): Promise<OverlayToken | undefined> {
  // Tokens are URL-safe base64; anything else cannot be one and needs no query.
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return undefined;
  return db
    .selectFrom('browser_source_tokens')
    .select(['id', 'community_id', 'source_type', 'token', 'created_at'])
    .where('token', '=', token)
    .where('is_active', '=', true)
    .executeTakeFirst();
}

/** Replaces the token in place; the old one stops resolving at once. */
export async function regenerateToken(
  deps: TokenDeps,
  token: OverlayToken,
): Promise<OverlayToken | undefined> {
  const now = deps.clock.now();
  return deps.db
    .updateTable('browser_source_tokens')
    .set({ token: newToken(deps.tokenBytes), updated_at: now })
    .where('id', '=', token.id)
    .where('token', '=', token.token)
    .where('is_active', '=', true)
    .returning(['id', 'community_id', 'source_type', 'token', 'created_at'])
    .executeTakeFirst();
}

export async function deactivateToken(deps: TokenDeps, token: OverlayToken): Promise<boolean> {
  const res = await deps.db
    .updateTable('browser_source_tokens')
    .set({ is_active: false, updated_at: deps.clock.now() })
    .where('id', '=', token.id)
    .where('token', '=', token.token)
    .where('is_active', '=', true)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
