import type { HttpClient, Logger } from '@waddlebot/core';
import { callPeer, envelopeMessage } from './peer-availability.js';

export type InstallOutcome =
  | { kind: 'installed'; version: string | null; warning: string | null }
  | { kind: 'refused'; message: string }
  | { kind: 'unavailable' };

interface InstallAnswer {
  data?: { installed_version?: string; warning?: string };
}

/** `!community install`: marketplace `POST /marketplace/install` (core-and-admin §6.3), result relayed. */
export async function installModule(
  marketplace: HttpClient,
  logger: Logger,
  input: { communityId: number; moduleId: string; userKey: string; version?: string },
): Promise<InstallOutcome> {
  const call = await callPeer<InstallAnswer>(
    marketplace,
    'POST',
    '/marketplace/install',
    {
      module_id: input.moduleId,
      community_id: input.communityId,
      user_id: input.userKey,
      version: input.version ?? 'latest',
    },
    15_000,
  );
  if (call.kind === 'missing') return { kind: 'unavailable' };
  if (call.kind === 'timeout')
    return { kind: 'refused', message: 'The marketplace did not answer, try again later.' };
  const { status, ok, body } = call.response;
  if (ok)
    return {
      kind: 'installed',
      version: body?.data?.installed_version ?? null,
      warning: body?.data?.warning ?? null,
    };
  logger.warn('marketplace install refused', { status, module_id: input.moduleId });
  const refusals: Record<number, string> = {
    402: 'This module needs an active community subscription.',
    403: "You don't have permission to install modules here.",
    404: `Module "${input.moduleId}" was not found.`,
    409: `Module "${input.moduleId}" is already installed.`,
  };
  if (status >= 500) return { kind: 'refused', message: 'The marketplace failed, try again later.' };
  return {
    kind: 'refused',
    message: refusals[status] ?? envelopeMessage(body) ?? 'The marketplace refused the installation.',
  };
}

/**
 * Asks marketplace to enable the community's modules for its entities after `add entity`
 * (§6.2 router sync). Fire-and-forget: a failure is logged, the entity is added regardless.
 */
export function syncCommunityModules(marketplace: HttpClient, logger: Logger, communityId: number): void {
  void callPeer(marketplace, 'POST', `/marketplace/community/${communityId}/sync`, {})
    .then((call) => {
      if (call.kind !== 'answered')
        logger.info('marketplace not reachable; module sync skipped', { reason: call.kind });
      else if (!call.response.ok)
        logger.warn('marketplace sync failed', { status: call.response.status, community: communityId });
    })
    .catch((err: Error) => logger.warn('marketplace sync failed', { error: err.message }));
}
