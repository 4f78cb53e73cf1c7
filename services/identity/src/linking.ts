import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  ValidationError,
  type Platform,
} from '@waddlebot/core';
import { sql } from 'kysely';
import { recordActivity } from './activity.js';
import type { IdentityDb } from './db.js';
import type { IdentityDeps } from './identity-deps.js';
import { activeUser, ownerOfAccount, uidOf } from './users.js';
import { generateVerificationCode, normaliseCode } from './verification-code.js';

const PLATFORM_LABEL: Record<string, string> = { twitch: 'Twitch', discord: 'Discord', slack: 'Slack' };
export const platformLabel = (p: string) => PLATFORM_LABEL[p] ?? p;

/** Rate limit of §3.6: `RATE_LIMIT_REQUESTS` per `RATE_LIMIT_WINDOW` per user on link/verify/resend. */
async function enforceRateLimit(deps: IdentityDeps, action: string, who: string): Promise<void> {
  const decision = await deps.state.rateLimiter.hit(
    `identity:${action}:${who}`,
    deps.config.RATE_LIMIT_REQUESTS,
    deps.config.RATE_LIMIT_WINDOW,
  );
  if (!decision.allowed) {
    deps.logger.authz({ action: `identity_${action}`, user: who, result: 'DENIED', reason: 'rate_limited' });
    throw new RateLimitedError(decision.retryAfterSeconds);
  }
}

export interface LinkRequest {
  userId: number;
  /** The chat account that asked, named in the DM; null when a logged-in portal user asked. */
  source: { platform: Platform; username: string } | null;
  targetPlatform: Platform;
  targetUsername: string;
}

export interface LinkResult {
  message: string;
  expires_in_minutes: number;
  delivery: 'queued';
}

function codeText(deps: IdentityDeps, requester: string, targetPlatform: string, code: string): string {
  const minutes = deps.config.VERIFICATION_TIMEOUT_MINUTES;
  return (
    `WaddleBot: ${requester} asked to link this ${platformLabel(targetPlatform)} account to their WaddleBot account. ` +
    `Your verification code is ${code}. Reply !verify ${code} within ${minutes} minutes. ` +
    `If you did not ask for this, ignore this message.`
  );
}

async function requesterName(
  db: IdentityDb,
  userId: number,
  source: { platform: string; username: string } | null,
): Promise<string> {
  if (source) return `${source.username} on ${platformLabel(source.platform)}`;
  const user = await db
    .selectFrom('auth_user')
    .select('username')
    .where('id', '=', userId)
    .executeTakeFirst();
  return `WaddleBot user ${user?.username ?? uidOf(userId)}`;
}

/** Steps 2–4 of core-and-admin §3.2: one pending code per (user, target platform), sent as a DM. */
export async function startLink(deps: IdentityDeps, req: LinkRequest): Promise<LinkResult> {
  const targetUsername = req.targetUsername.trim().replace(/^@/, '');
  if (!targetUsername || targetUsername.length > 128)
    throw new ValidationError('Validation failed', [
      { path: 'target_username', message: 'must be 1–128 characters' },
    ]);
  if (req.source && req.source.platform === req.targetPlatform)
    throw new ValidationError('Source and target platform must differ', [
      { path: 'target_platform', message: 'must differ from source_platform' },
    ]);
  await enforceRateLimit(deps, 'link', uidOf(req.userId));

  const code = generateVerificationCode(deps.config.VERIFICATION_CODE_LENGTH);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.VERIFICATION_TIMEOUT_MINUTES * 60_000);
  const row = await deps.db.transaction().execute(async (trx) => {
    // Serialises links of one user, so the one-pending-row rule holds under concurrency.
    const user = await trx
      .selectFrom('auth_user')
      .select('id')
      .where('id', '=', req.userId)
      .where('is_active', '=', true)
      .forUpdate()
      .executeTakeFirst();
    if (!user) return { kind: 'no_user' as const };
    const linked = await trx
      .selectFrom('platform_identities')
      .select('id')
      .where('user_id', '=', req.userId)
      .where('platform', '=', req.targetPlatform)
      .where('is_verified', '=', true)
      .executeTakeFirst();
    if (linked) return { kind: 'linked' as const };
    await trx
      .updateTable('identity_verifications')
      .set({ status: 'expired' })
      .where('user_id', '=', req.userId)
      .where('target_platform', '=', req.targetPlatform)
      .where('status', '=', 'pending')
      .execute();
    const inserted = await trx
      .insertInto('identity_verifications')
      .values({
        user_id: req.userId,
        source_platform: req.source?.platform ?? null,
        source_username: req.source?.username.slice(0, 128) ?? null,
        target_platform: req.targetPlatform,
        target_username: targetUsername,
        target_platform_id: null,
        verification_code: code,
        status: 'pending',
        delivery_status: 'queued',
        verified_at: null,
        last_sent_at: now,
        created_at: now,
        expires_at: expiresAt,
      })
      .returning(['id', 'resend_count'])
      .executeTakeFirstOrThrow();
    await recordActivity(trx, {
      userId: req.userId,
      action: 'link',
      platform: req.targetPlatform,
      platformUsername: targetUsername,
      success: true,
      at: now,
    });
    return { kind: 'created' as const, id: inserted.id, resendCount: inserted.resend_count };
  });
  if (row.kind === 'no_user') throw new NotFoundError('User not found');
  if (row.kind === 'linked')
    throw new ConflictError(`You already have a linked ${platformLabel(req.targetPlatform)} account`);

  deps.codeSender.enqueue({
    verificationId: row.id,
    resendCount: row.resendCount,
    platform: req.targetPlatform,
    userName: targetUsername,
    text: codeText(deps, await requesterName(deps.db, req.userId, req.source), req.targetPlatform, code),
  });
  deps.logger.audit({
    action: 'identity_link_start',
    user: uidOf(req.userId),
    result: 'SUCCESS',
    platform: req.targetPlatform,
  });
  const minutes = deps.config.VERIFICATION_TIMEOUT_MINUTES;
  return {
    message: `A verification code was sent to ${targetUsername} on ${platformLabel(req.targetPlatform)}. Reply !verify <code> there within ${minutes} minutes.`,
    expires_in_minutes: minutes,
    delivery: 'queued',
  };
}

export interface VerifyRequest {
  platform: Platform;
  platformId: string;
  platformUsername: string;
  code: string;
}

export interface VerifyResult {
  user_id: string;
  platform: Platform;
  merged_uid?: string;
}

type VerifyOutcome =
  | { kind: 'invalid' }
  | { kind: 'conflict'; message: string }
  | { kind: 'linked'; userId: number; mergedFrom: number | null };

/** Steps 5–8 of core-and-admin §3.2: the sender on the target platform proves the account. */
export async function verifyLink(deps: IdentityDeps, req: VerifyRequest): Promise<VerifyResult> {
  await enforceRateLimit(deps, 'verify', `${req.platform}:${req.platformId}`);
  const code = normaliseCode(req.code);
  const username = req.platformUsername.trim().slice(0, 128);
  const now = deps.clock.now();

  const outcome = await deps.db.transaction().execute(async (trx): Promise<VerifyOutcome> => {
    const candidates = await trx
      .selectFrom('identity_verifications')
      .select(['id', 'user_id', 'verification_code', 'attempts'])
      .where('target_platform', '=', req.platform)
      .where(sql`lower(target_username)`, '=', username.toLowerCase())
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .orderBy('id')
      .forUpdate()
      .execute();
    const match = candidates.find((c) => c.verification_code === code);
    if (!match) {
      // A wrong guess counts against every code waiting for this account (brute-force guard).
      for (const c of candidates) {
        const attempts = c.attempts + 1;
        await trx
          .updateTable('identity_verifications')
          .set({
            attempts,
            ...(attempts >= deps.config.MAX_VERIFICATION_ATTEMPTS ? { status: 'failed' } : {}),
          })
          .where('id', '=', c.id)
          .execute();
      }
      await recordActivity(trx, {
        userId: null,
        action: 'verify',
        platform: req.platform,
        platformUsername: username,
        success: false,
        errorMessage: 'invalid or expired code',
        at: now,
      });
      return { kind: 'invalid' };
    }

    const intoId = match.user_id;
    const into = await trx
      .selectFrom('auth_user')
      .select(['id', 'email', 'primary_platform'])
      .where('id', '=', intoId)
      .where('is_active', '=', true)
      .forUpdate()
      .executeTakeFirst();
    if (!into) {
      await trx
        .updateTable('identity_verifications')
        .set({ status: 'failed' })
        .where('id', '=', match.id)
        .execute();
      return { kind: 'invalid' };
    }
    const ownOnPlatform = await trx
      .selectFrom('platform_identities')
      .select(['id', 'platform_id'])
      .where('user_id', '=', intoId)
      .where('platform', '=', req.platform)
      .executeTakeFirst();
    if (ownOnPlatform && ownOnPlatform.platform_id !== req.platformId)
      return {
        kind: 'conflict',
        message: `That user already has a linked ${platformLabel(req.platform)} account`,
      };

    const owner = await ownerOfAccount(trx, req.platform, req.platformId);
    let mergedFrom: number | null = null;
    if (owner && owner.userId !== intoId) {
      const owned = await trx
        .selectFrom('platform_identities')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', owner.userId)
        .where('is_verified', '=', true)
        .executeTakeFirstOrThrow();
      if (Number(owned.n) > 1)
        return { kind: 'conflict', message: 'This account is already linked to another WaddleBot user' };
      mergedFrom = owner.userId;
      await mergeSingleIdentityUser(deps, trx, {
        fromId: owner.userId,
        intoId,
        intoEmail: into.email,
        identities: [{ platform: req.platform, platform_user_id: req.platformId }],
        at: now,
      });
    }
    if (owner) {
      await trx
        .updateTable('platform_identities')
        .set({
          user_id: intoId,
          platform_username: username,
          is_verified: true,
          verified_at: now,
          verification_method: 'whisper',
          updated_at: now,
        })
        .where('id', '=', owner.identityId)
        .execute();
    } else {
      await trx
        .insertInto('platform_identities')
        .values({
          user_id: intoId,
          platform: req.platform,
          platform_id: req.platformId,
          platform_username: username,
          is_verified: true,
          verified_at: now,
          verification_method: 'whisper',
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
    await trx
      .updateTable('identity_verifications')
      .set({ status: 'completed', target_platform_id: req.platformId, verified_at: now })
      .where('id', '=', match.id)
      .execute();
    if (!into.primary_platform)
      await trx
        .updateTable('auth_user')
        .set({ primary_platform: req.platform, updated_at: now })
        .where('id', '=', intoId)
        .execute();
    await recordActivity(trx, {
      userId: intoId,
      action: 'verify',
      platform: req.platform,
      platformUsername: username,
      success: true,
      metadata: mergedFrom ? { merged_uid: uidOf(mergedFrom) } : {},
      at: now,
    });
    return { kind: 'linked', userId: intoId, mergedFrom };
  });

  if (outcome.kind === 'invalid') throw new ValidationError('Invalid or expired verification code');
  if (outcome.kind === 'conflict') throw new ConflictError(outcome.message);
  if (outcome.mergedFrom !== null) deps.mergeNotifier.kick();
  deps.logger.audit({
    action: 'identity_verify',
    user: uidOf(outcome.userId),
    result: 'SUCCESS',
    platform: req.platform,
    ...(outcome.mergedFrom !== null ? { merged_uid: uidOf(outcome.mergedFrom) } : {}),
  });
  return {
    user_id: uidOf(outcome.userId),
    platform: req.platform,
    ...(outcome.mergedFrom !== null ? { merged_uid: uidOf(outcome.mergedFrom) } : {}),
  };
}

/**
 * Retires a user who owned only the identity now re-pointed to `intoId` (§3.2 step 8, §3.4 step 2):
 * deactivates it, moves what would otherwise be stranded and stores the merge notification. The
 * caller re-points the identity itself inside the same transaction.
 */
export async function mergeSingleIdentityUser(
  deps: Pick<IdentityDeps, 'mergeNotifier'>,
  trx: IdentityDb,
  merge: {
    fromId: number;
    intoId: number;
    intoEmail: string | null;
    identities: { platform: string; platform_user_id: string }[];
    at: Date;
  },
): Promise<void> {
  const from = await trx
    .selectFrom('auth_user')
    .select(['email', 'metadata'])
    .where('id', '=', merge.fromId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const metadata = {
    ...((from.metadata as Record<string, unknown> | null) ?? {}),
    merged_into: uidOf(merge.intoId),
    merged_at: merge.at.toISOString(),
  };
  await trx
    .updateTable('auth_user')
    .set({
      is_active: false,
      email: merge.intoEmail || !from.email ? from.email : null,
      metadata: JSON.stringify(metadata),
      updated_at: merge.at,
    })
    .where('id', '=', merge.fromId)
    .execute();
  // A retired user's e-mail would otherwise stay reserved by an account nobody can use.
  if (!merge.intoEmail && from.email)
    await trx
      .updateTable('auth_user')
      .set({ email: from.email, updated_at: merge.at })
      .where('id', '=', merge.intoId)
      .execute();
  await trx
    .updateTable('user_api_keys')
    .set({ is_active: false, revoked_at: merge.at })
    .where('user_id', '=', merge.fromId)
    .where('is_active', '=', true)
    .execute();
  await trx
    .updateTable('identity_verifications')
    .set({ status: 'expired' })
    .where('user_id', '=', merge.fromId)
    .where('status', '=', 'pending')
    .execute();
  await trx
    .updateTable('oauth_user_cache')
    .set({ user_id: merge.intoId })
    .where('user_id', '=', merge.fromId)
    .execute();
  await deps.mergeNotifier.record(
    trx,
    { fromUid: uidOf(merge.fromId), intoUid: uidOf(merge.intoId), identities: merge.identities },
    merge.at,
  );
}

/** `DELETE /identity/unlink`, `!identity unlink`: never the user's last identity. */
export async function unlinkPlatform(
  deps: IdentityDeps,
  userId: number,
  platform: Platform,
): Promise<{ unlinked: Platform }> {
  const now = deps.clock.now();
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('auth_user')
      .select(['id', 'primary_platform'])
      .where('id', '=', userId)
      .where('is_active', '=', true)
      .forUpdate()
      .executeTakeFirst();
    if (!user) return 'not_linked' as const;
    const identities = await trx
      .selectFrom('platform_identities')
      .select(['id', 'platform'])
      .where('user_id', '=', userId)
      .execute();
    const target = identities.find((i) => i.platform === platform);
    if (!target) return 'not_linked' as const;
    if (identities.length <= 1) return 'last' as const;
    await trx.deleteFrom('platform_identities').where('id', '=', target.id).execute();
    if (user.primary_platform === platform) {
      const next = identities.find((i) => i.platform !== platform)?.platform ?? null;
      await trx
        .updateTable('auth_user')
        .set({ primary_platform: next, updated_at: now })
        .where('id', '=', userId)
        .execute();
    }
    await recordActivity(trx, { userId, action: 'unlink', platform, success: true, at: now });
    return 'unlinked' as const;
  });
  if (outcome === 'not_linked') throw new NotFoundError(`No linked ${platformLabel(platform)} account`);
  if (outcome === 'last') throw new ConflictError('You cannot unlink your last linked account');
  deps.logger.audit({ action: 'identity_unlink', user: uidOf(userId), result: 'SUCCESS', platform });
  return { unlinked: platform };
}

export interface PendingView {
  target_platform: string;
  target_username: string;
  expires_at: string;
  resend_count: number;
  delivery_status: string;
}

export async function pendingVerifications(
  deps: Pick<IdentityDeps, 'db' | 'clock'>,
  userId: number,
  platform?: Platform,
): Promise<PendingView[]> {
  let q = deps.db
    .selectFrom('identity_verifications')
    .select(['target_platform', 'target_username', 'expires_at', 'resend_count', 'delivery_status'])
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .where('expires_at', '>', deps.clock.now());
  if (platform) q = q.where('target_platform', '=', platform);
  const rows = await q.orderBy('id', 'desc').execute();
  return rows.map((r) => ({
    target_platform: r.target_platform,
    target_username: r.target_username,
    expires_at: new Date(r.expires_at).toISOString(),
    resend_count: r.resend_count,
    delivery_status: r.delivery_status,
  }));
}

/** `POST /identity/resend`: a new code, expiry reset, `resend_count+1`, after the cooldown. */
export async function resendCode(
  deps: IdentityDeps,
  userId: number,
  targetPlatform: Platform,
): Promise<{ expires_in_minutes: number }> {
  await enforceRateLimit(deps, 'resend', uidOf(userId));
  const now = deps.clock.now();
  const code = generateVerificationCode(deps.config.VERIFICATION_CODE_LENGTH);
  const expiresAt = new Date(now.getTime() + deps.config.VERIFICATION_TIMEOUT_MINUTES * 60_000);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('identity_verifications')
      .select(['id', 'last_sent_at', 'resend_count', 'target_username', 'source_platform', 'source_username'])
      .where('user_id', '=', userId)
      .where('target_platform', '=', targetPlatform)
      .where('status', '=', 'pending')
      .where('expires_at', '>', now)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return { kind: 'none' as const };
    const readyAt = new Date(row.last_sent_at).getTime() + deps.config.RESEND_COOLDOWN_SECONDS * 1000;
    if (readyAt > now.getTime())
      return { kind: 'cooldown' as const, waitSeconds: (readyAt - now.getTime()) / 1000 };
    const resendCount = row.resend_count + 1;
    await trx
      .updateTable('identity_verifications')
      .set({
        verification_code: code,
        expires_at: expiresAt,
        resend_count: resendCount,
        attempts: 0,
        delivery_status: 'queued',
        last_sent_at: now,
      })
      .where('id', '=', row.id)
      .execute();
    await recordActivity(trx, {
      userId,
      action: 'resend',
      platform: targetPlatform,
      platformUsername: row.target_username,
      success: true,
      at: now,
    });
    return { kind: 'resent' as const, row, resendCount };
  });
  if (outcome.kind === 'none') throw new NotFoundError('No pending verification for that platform');
  if (outcome.kind === 'cooldown')
    throw new RateLimitedError(outcome.waitSeconds, 'Please wait before requesting another code');
  const source =
    outcome.row.source_platform && outcome.row.source_username
      ? { platform: outcome.row.source_platform, username: outcome.row.source_username }
      : null;
  deps.codeSender.enqueue({
    verificationId: outcome.row.id,
    resendCount: outcome.resendCount,
    platform: targetPlatform,
    userName: outcome.row.target_username,
    text: codeText(deps, await requesterName(deps.db, userId, source), targetPlatform, code),
  });
  return { expires_in_minutes: deps.config.VERIFICATION_TIMEOUT_MINUTES };
}

/** The periodic job of §3.2: pending rows past their expiry become `expired`. */
export async function expireStaleVerifications(deps: Pick<IdentityDeps, 'db' | 'clock'>): Promise<number> {
  const res = await deps.db
    .updateTable('identity_verifications')
    .set({ status: 'expired' })
    .where('status', '=', 'pending')
    .where('expires_at', '<=', deps.clock.now())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function assertActiveUser(deps: Pick<IdentityDeps, 'db'>, userId: number) {
  const user = await activeUser(deps.db, userId);
  if (!user) throw new NotFoundError('User not found');
  return user;
}
