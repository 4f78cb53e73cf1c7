import type { Role } from '@waddlebot/core';

/**
 * Who may change what, in chat and over REST alike (interaction-modules §5: moderator+ for every
 * change but deletion, which is admin+). `action` completes "You don't have permission to …".
 */
export const WRITE_PERMISSIONS = {
  add: { role: 'moderator', action: 'add items' },
  checkout: { role: 'moderator', action: 'check out items' },
  checkin: { role: 'moderator', action: 'check in items' },
  update: { role: 'moderator', action: 'change items' },
  delete: { role: 'admin', action: 'delete items' },
  labels: { role: 'moderator', action: 'change labels' },
} as const satisfies Record<string, { role: Role; action: string }>;

export type WriteKind = keyof typeof WRITE_PERMISSIONS;
