import type { IdentityDb } from './db.js';

export interface ActivityEntry {
  userId: number | null;
  action: string;
  platform?: string | null;
  platformUsername?: string | null;
  success: boolean;
  errorMessage?: string | null;
  metadata?: Record<string, unknown>;
  at: Date;
}

/** One `identity_activity` row: the per-user trail of link/verify/unlink/key events (§3.1). */
export async function recordActivity(db: IdentityDb, entry: ActivityEntry): Promise<void> {
  await db
    .insertInto('identity_activity')
    .values({
      user_id: entry.userId,
      action: entry.action,
      platform: entry.platform ?? null,
      platform_username: entry.platformUsername?.slice(0, 128) ?? null,
      ip_address: null,
      user_agent: null,
      success: entry.success,
      error_message: entry.errorMessage ?? null,
      metadata: JSON.stringify(entry.metadata ?? {}),
      created_at: entry.at,
    })
    .execute();
}
