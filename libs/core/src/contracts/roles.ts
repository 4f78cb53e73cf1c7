/** The one role ladder (contracts §4); higher includes everything lower. */
export const ROLES = ['member', 'subscriber', 'vip', 'moderator', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function roleRank(role: string | null | undefined): number {
  const i = ROLES.indexOf(role as Role);
  return i < 0 ? 0 : i;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function maxRole(...roles: (string | null | undefined)[]): Role {
  let best = 0;
  for (const r of roles) if (isRole(r)) best = Math.max(best, roleRank(r));
  return ROLES[best]!;
}

export function hasRole(actual: string | null | undefined, required: Role): boolean {
  return roleRank(actual) >= roleRank(required);
}

/** Permissions added at each rung (contracts §4); a role has its own and every lower rung's. */
const ROLE_GRANTS: Record<Role, readonly string[]> = {
  member: ['chat.send', 'commands.basic', 'reputation.view'],
  subscriber: [],
  vip: [],
  moderator: [
    'commands.moderate',
    'users.timeout',
    'users.kick',
    'users.warn',
    'community.add_user',
    'community.add_entity',
  ],
  admin: [
    'commands.admin',
    'reputation.manage',
    'users.ban',
    'community.install_modules',
    'community.manage_settings',
    'community.manage_roles',
    'community.remove_user',
  ],
  owner: ['community.delete'],
};

export const ALL_PERMISSIONS: readonly string[] = ROLES.flatMap((r) => ROLE_GRANTS[r]);

export function permissionsFor(role: string | null | undefined, extra: readonly string[] = []): string[] {
  const rank = roleRank(role);
  const granted = ROLES.slice(0, rank + 1).flatMap((r) => ROLE_GRANTS[r]);
  return [...new Set([...granted, ...extra])];
}

/** The lowest role that grants a permission, or undefined for unknown permissions. */
export function lowestRoleFor(permission: string): Role | undefined {
  return ROLES.find((r) => ROLE_GRANTS[r].includes(permission));
}
