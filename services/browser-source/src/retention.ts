import type { Clock } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { BrowserSourceDB } from './db.js';

const DAY_MS = 86_400_000;
/** core-and-admin §2.2: history rows live 30 days. */
export const HISTORY_RETENTION_DAYS = 30;

/** Deletes history older than 30 days and access-log rows older than the configured days. */
export async function purgeExpiredRows(
  deps: { db: Kysely<BrowserSourceDB>; clock: Clock },
  accessLogRetentionDays: number,
): Promise<{ history: number; access_log: number }> {
  const now = deps.clock.now().getTime();
  const history = await deps.db
    .deleteFrom('browser_source_history')
    .where('created_at', '<', new Date(now - HISTORY_RETENTION_DAYS * DAY_MS))
    .executeTakeFirst();
  const accessLog = await deps.db
    .deleteFrom('browser_source_access_log')
    .where('accessed_at', '<', new Date(now - accessLogRetentionDays * DAY_MS))
    .executeTakeFirst();
  return { history: Number(history.numDeletedRows), access_log: Number(accessLog.numDeletedRows) };
}
