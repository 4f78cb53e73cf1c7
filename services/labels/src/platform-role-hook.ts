import type { Logger } from '@waddlebot/core';

export interface PlatformRoleGrant {
  platform: string;
  /** Server/community on the platform. */
  entity_id: string;
  group_type: string;
  group_id: string;
  group_name: string;
  user_id: string;
  platform_id: string;
}

/**
 * Grants a platform role (Discord role, Twitch VIP/mod) when a user joins a role group.
 * Real platform calls are out of scope (core-and-admin §1.3), so the shipped hook only logs.
 */
export interface PlatformRoleHook {
  grant(grant: PlatformRoleGrant): Promise<void>;
}

export function loggingPlatformRoleHook(logger: Logger): PlatformRoleHook {
  return {
    async grant(grant) {
      logger.audit({
        action: 'platform_role_grant',
        user: grant.user_id,
        result: 'SUCCESS',
        platform: grant.platform,
        entity_id: grant.entity_id,
        group_type: grant.group_type,
        group_id: grant.group_id,
      });
    },
  };
}
