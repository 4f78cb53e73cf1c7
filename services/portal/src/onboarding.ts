import { ConflictError, NotFoundError, UpstreamError, ValidationError, type Platform } from '@waddlebot/core';
import { callPeer } from './peer-call.js';
import type { PortalDeps } from './portal-deps.js';

export type TempPasswordTarget =
  | { kind: 'account'; platform: Platform; platformUserId: string; platformUsername: string }
  | { kind: 'user'; userId: string };

/**
 * §7.4: identity issues the temporary password (only its hash is stored there); the portal mails
 * it and answers without it. The password lives in this function's memory only.
 */
export async function createPortalUser(
  deps: Pick<PortalDeps, 'identity' | 'mailer' | 'logger' | 'publicUrl' | 'appName' | 'apiTimeoutMs'>,
  target: TempPasswordTarget,
  email: string,
  displayName?: string,
): Promise<{ user_id: string; email_sent: boolean }> {
  const body = {
    ...(target.kind === 'user'
      ? { user_id: target.userId }
      : {
          platform: target.platform,
          platform_id: target.platformUserId,
          platform_username: target.platformUsername,
        }),
    email,
    // Identity stores it on the user (§7.3); an empty name is left out rather than clearing one.
    ...(displayName ? { display_name: displayName } : {}),
  };
  const r = await callPeer<{ user_id: string; temp_password: string; expires_at: string }>(
    deps.identity,
    '/auth/temp-password',
    { method: 'POST', body, timeoutMs: deps.apiTimeoutMs },
  );
  if (r.kind === 'unavailable') throw new UpstreamError('Identity is unavailable');
  if (r.kind === 'error') {
    if (r.status === 409) throw new ConflictError(r.message);
    if (r.status === 404) throw new NotFoundError(r.message);
    if (r.status === 400) throw new ValidationError(r.message, r.details as never);
    throw new UpstreamError('Identity refused the request');
  }
  const { user_id, temp_password, expires_at } = r.data;
  const sent = await deps.mailer.send({
    to: email,
    subject: 'WaddleBot Community Portal - Temporary Password',
    text: [
      `Welcome to the ${deps.appName}.`,
      '',
      `User id: ${user_id}`,
      `E-mail: ${email}`,
      `Temporary password: ${temp_password}`,
      '',
      `This password expires in 24 hours (${expires_at}). You will choose your own password when you first log in.`,
      '',
      `Log in at ${deps.publicUrl}/auth/login`,
      '',
      'If you did not ask for a portal login, ignore this message.',
    ].join('\n'),
  });
  deps.logger.audit({ action: 'portal_user_created', user: user_id, result: 'SUCCESS', email_sent: sent });
  return { user_id, email_sent: sent };
}
