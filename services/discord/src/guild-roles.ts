import { TtlCache, type KeyValueStore, type Role } from '@waddlebot/core';

const ADMINISTRATOR = 1n << 3n;
const MANAGE_MESSAGES = 1n << 13n;

/** Contracts §4 for Discord: guild owner → owner, ADMINISTRATOR → admin, MANAGE_MESSAGES → moderator. */
export function discordPlatformRole(opts: {
  isOwner: boolean;
  permissions: bigint | null;
}): Role | undefined {
  if (opts.isOwner) return 'owner';
  if (opts.permissions === null) return undefined;
  if ((opts.permissions & ADMINISTRATOR) !== 0n) return 'admin';
  if ((opts.permissions & MANAGE_MESSAGES) !== 0n) return 'moderator';
  return undefined;
}

/** Permission bits arrive as decimal strings (they outgrow 2^53); junk counts as none. */
export function parsePermissions(value: unknown): bigint | null {
  if (typeof value !== 'string' || !/^\d{1,40}$/.test(value)) return null;
  return BigInt(value);
}

export interface GuildRoleSnapshot {
  owner_id: string | null;
  /** role id → permission bits (decimal string). */
  roles: Record<string, string>;
}

const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * Gateway messages carry role ids but no permission bits (§6.2), so the receiver keeps each
 * guild's roles and owner from GUILD_CREATE / GUILD_ROLE_* in the shared state.
 */
export class GuildRoleCache {
  private readonly cache: TtlCache;
  constructor(kv: KeyValueStore) {
    this.cache = new TtlCache(kv, 'discord:guild-roles:');
  }

  get(guildId: string): Promise<GuildRoleSnapshot | undefined> {
    return this.cache.get<GuildRoleSnapshot>(guildId);
  }

  async replace(guildId: string, snapshot: GuildRoleSnapshot): Promise<void> {
    await this.cache.set(guildId, snapshot, KEEP_SECONDS);
  }

  async update(guildId: string, change: (s: GuildRoleSnapshot) => void): Promise<void> {
    const current = (await this.get(guildId)) ?? { owner_id: null, roles: {} };
    change(current);
    await this.replace(guildId, current);
  }

  /** The member's permissions: @everyone (role id = guild id) OR each of their roles. */
  async roleOf(
    guildId: string,
    userId: string,
    memberRoleIds: string[],
    ownerId: string | null,
  ): Promise<Role | undefined> {
    const snapshot = await this.get(guildId);
    const owner = snapshot?.owner_id ?? ownerId;
    if (!snapshot) return discordPlatformRole({ isOwner: owner === userId, permissions: null });
    let bits = parsePermissions(snapshot.roles[guildId]) ?? 0n;
    for (const id of memberRoleIds) bits |= parsePermissions(snapshot.roles[id]) ?? 0n;
    return discordPlatformRole({ isOwner: owner === userId, permissions: bits });
  }
}
