import { UpstreamError, type HttpClient, type Logger, type Platform } from '@waddlebot/core';
import { callPeer } from './peer-availability.js';

export interface ResolvedUser {
  userKey: string;
  /** False when identity is not deployed: the key is the `<platform>:<user_id>` fallback. */
  viaIdentity: boolean;
}

/**
 * The user key of a platform account (contracts §14): identity's uid, else — while identity is
 * not deployed — `<platform>:<user_id>`, the same key the router uses when it has no uid, which a
 * later merge notification re-keys. Identity answering with an error is not guessed around: a
 * wrong key would file the membership under a user nobody is.
 */
export async function resolveUserKey(
  identity: HttpClient,
  logger: Logger,
  account: { platform: Platform; platformUserId: string; userName?: string },
): Promise<ResolvedUser> {
  const call = await callPeer<{ data?: { uid?: unknown } }>(identity, 'POST', '/identity/resolve', {
    platform: account.platform,
    platform_user_id: account.platformUserId,
    user_name: account.userName ?? account.platformUserId,
  });
  if (call.kind === 'missing') {
    logger.warn('identity unavailable; using the platform user key', { platform: account.platform });
    return { userKey: `${account.platform}:${account.platformUserId}`, viaIdentity: false };
  }
  if (call.kind === 'timeout')
    throw new UpstreamError('Could not look that user up right now, try again later');
  const uid = call.response.body?.data?.uid;
  if (call.response.ok && (typeof uid === 'string' || typeof uid === 'number'))
    return { userKey: String(uid), viaIdentity: true };
  logger.warn('identity resolve failed', { status: call.response.status });
  throw new UpstreamError('Could not look that user up right now, try again later');
}
