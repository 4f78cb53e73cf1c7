import type { HttpClient, Logger, Platform } from '@waddlebot/core';
import { callPeer } from './peer-availability.js';

export type PortalLoginOutcome = 'email_sent' | 'email_failed' | 'already_exists' | 'refused' | 'unavailable';

/**
 * `!community portal login add`: portal `POST /api/create_user` (core-and-admin §7.4). Only the
 * outcome comes back: whatever the portal answers, no password ever reaches the chat.
 */
export async function createPortalLogin(
  portal: HttpClient,
  logger: Logger,
  account: {
    platform: Platform;
    platformUserId: string;
    platformUsername: string;
    email: string;
    displayName?: string | null;
  },
): Promise<PortalLoginOutcome> {
  const call = await callPeer<{ data?: { email_sent?: unknown } }>(
    portal,
    'POST',
    '/api/create_user',
    {
      platform: account.platform,
      platform_user_id: account.platformUserId,
      platform_username: account.platformUsername,
      email: account.email,
      ...(account.displayName ? { display_name: account.displayName } : {}),
    },
    15_000,
  );
  if (call.kind === 'missing') return 'unavailable';
  // The portal may still send the mail; "try again later" is the honest answer.
  if (call.kind === 'timeout') return 'email_failed';
  const { status, ok, body } = call.response;
  if (ok) return body?.data?.email_sent === false ? 'email_failed' : 'email_sent';
  logger.warn('portal create_user refused', { status });
  if (status === 409) return 'already_exists';
  if (status === 400) return 'refused';
  return 'email_failed';
}
