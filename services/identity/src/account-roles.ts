/** Account roles of platform.md §1.3 (not community roles, contracts §4), seeded by the migration. */
export const ACCOUNT_ROLES = [
  { name: 'admin', description: 'Platform administrator', permissions: ['*'] },
  {
    name: 'community_owner',
    description: 'Owns communities',
    permissions: ['community:*', 'module:install', 'module:configure'],
  },
  {
    name: 'moderator',
    description: 'Platform moderator',
    permissions: ['community:moderate', 'user:manage'],
  },
  { name: 'user', description: 'Registered user', permissions: ['profile:view', 'profile:edit'] },
] as const;

/** Every account gets this role at creation. */
export const DEFAULT_ACCOUNT_ROLE = 'user';
