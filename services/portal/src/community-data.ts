import { roleRank, type Role } from '@waddlebot/core';
import { callPeer, type PeerResult } from './peer-call.js';
import type { PortalDeps } from './portal-deps.js';

/** Portal reads of community, reputation, identity, marketplace and browser-source (§7.1). */

export interface ManagedCommunity {
  id: number;
  name: string;
  description: string | null;
  role: Role;
  member_count: number;
  entity_group_count: number;
  created_at: string | null;
  settings: Record<string, unknown>;
}

export interface CommunityDetail {
  id: number;
  name: string;
  description: string | null;
  settings: Record<string, unknown>;
  created_by: string | null;
  created_at: string;
  member_count: number;
  entity_groups: { id: number; platform: string; server_id: string; entity_ids: string[] }[];
}

export interface MemberRow {
  user_id: string;
  display_name: string | null;
  role: Role;
  reputation: {
    current_score: number;
    tier: string | null;
    total_events: number;
    last_activity: string | null;
  };
  joined_at: string;
  invited_by: string | null;
}

export interface CoreOrMarketplaceModule {
  id: string;
  command: string;
  prefix: string;
  description: string | null;
  module_type: 'core' | 'marketplace';
  location: string | null;
  version: string;
  is_active: boolean;
  usage_count: number;
  last_used: string | null;
  display_name: string;
}

export type OverlayUrls = Record<string, { url: string; created_at: string }>;

/** Roles that may open a community's admin pages (§7.1 [fix]: owner or admin). */
export const MANAGING_ROLES: readonly Role[] = ['owner', 'admin'];
const MAX_MEMBER_PAGES = 50;
const MEMBERS_PER_FETCH = 100;
const DEFAULT_SCORE = 600;

type Deps = Pick<
  PortalDeps,
  'community' | 'reputation' | 'identity' | 'marketplace' | 'browserSource' | 'apiTimeoutMs'
>;

export class PeerUnavailableError extends Error {
  constructor(readonly service: string) {
    super(`${service} is not available`);
  }
}

function must<T>(r: PeerResult<T>, service: string): Extract<PeerResult<T>, { kind: 'ok' | 'error' }> {
  if (r.kind === 'unavailable') throw new PeerUnavailableError(service);
  return r;
}

export async function getCommunity(deps: Deps, id: number): Promise<CommunityDetail | null> {
  const r = must(
    await callPeer<CommunityDetail>(deps.community, `/communities/${id}`, { timeoutMs: deps.apiTimeoutMs }),
    'community',
  );
  if (r.kind === 'ok') return r.data;
  // Community answers 400 for ids it can never hold (0, out of range): no such community either.
  if (r.status === 404 || r.status === 400) return null;
  throw new PeerUnavailableError('community');
}

export async function roleIn(deps: Deps, userKey: string, communityId: number): Promise<Role | null> {
  const r = must(
    await callPeer<{ role: Role | null }>(
      deps.community,
      `/users/${encodeURIComponent(userKey)}/communities/${communityId}/role`,
      { timeoutMs: deps.apiTimeoutMs },
    ),
    'community',
  );
  if (r.kind !== 'ok') throw new PeerUnavailableError('community');
  return r.data.role ?? null;
}

export function mayManage(role: Role | null): boolean {
  return role !== null && roleRank(role) >= roleRank('admin');
}

/** The communities where the user is owner or admin, with the counts the dashboard shows. */
export async function managedCommunities(deps: Deps, userKey: string): Promise<ManagedCommunity[]> {
  const r = must(
    await callPeer<Omit<ManagedCommunity, 'created_at' | 'settings'>[]>(
      deps.community,
      `/users/${encodeURIComponent(userKey)}/communities`,
      {
        query: { role_min: 'admin' },
        timeoutMs: deps.apiTimeoutMs,
      },
    ),
    'community',
  );
  if (r.kind !== 'ok') throw new PeerUnavailableError('community');
  const managed = r.data.filter((c) => mayManage(c.role));
  const details = await Promise.all(managed.map((c) => getCommunity(deps, c.id).catch(() => null)));
  return managed.map((c, i) => ({
    id: c.id,
    name: c.name,
    description: c.description,
    role: c.role,
    member_count: c.member_count,
    entity_group_count: c.entity_group_count,
    created_at: details[i]?.created_at ?? null,
    settings: details[i]?.settings ?? {},
  }));
}

interface LeaderRow {
  rank: number;
  user_id: string;
  current_score: number;
  tier: string;
  total_events: number;
  last_activity: string | null;
}

async function leaderboardRows(deps: Deps, communityId: number, limit: number): Promise<LeaderRow[] | null> {
  const r = await callPeer<{ leaderboard: LeaderRow[] }>(
    deps.reputation,
    `/reputation/leaderboard/${communityId}`,
    {
      query: { limit },
      timeoutMs: deps.apiTimeoutMs,
    },
  );
  return r.kind === 'ok' ? r.data.leaderboard : null;
}

export async function leaderboard(deps: Deps, communityId: number, limit = 25): Promise<LeaderRow[] | null> {
  return leaderboardRows(deps, communityId, limit);
}

/** Runs `fn` over `items` with at most `width` calls in flight, so a big community cannot flood a peer. */
async function mapBounded<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Display names from identity for numeric uids; other user keys have none. */
export async function displayNames(deps: Deps, userKeys: string[]): Promise<Map<string, string | null>> {
  const names = new Map<string, string | null>();
  const uids = userKeys.filter((k) => /^\d+$/.test(k));
  await mapBounded(uids, 8, async (uid) => {
    const r = await callPeer<{ display_name: string | null; username: string }>(
      deps.identity,
      `/identity/user/${uid}`,
      {
        timeoutMs: deps.apiTimeoutMs,
      },
    );
    names.set(uid, r.kind === 'ok' ? (r.data.display_name ?? r.data.username ?? null) : null);
  });
  return names;
}

/**
 * Every member with their reputation, highest score first (§7.2 Members, §7.3). Reputation that
 * cannot be read shows the default score rather than hiding the members.
 */
export async function membersByReputation(
  deps: Deps,
  communityId: number,
  opts: { search?: string } = {},
): Promise<{ members: Omit<MemberRow, 'display_name'>[]; reputationAvailable: boolean }> {
  const raw: { user_id: string; role: Role; joined_at: string; invited_by: string | null }[] = [];
  for (let page = 1; page <= MAX_MEMBER_PAGES; page++) {
    const r = must(
      await callPeer<typeof raw>(deps.community, `/communities/${communityId}/members`, {
        query: { page, per_page: MEMBERS_PER_FETCH, search: opts.search || undefined },
        timeoutMs: deps.apiTimeoutMs,
      }),
      'community',
    );
    if (r.kind !== 'ok') throw new PeerUnavailableError('community');
    raw.push(...r.data);
    const hasNext = (r.meta as { has_next?: boolean } | undefined)?.has_next === true;
    if (!hasNext || r.data.length === 0) break;
  }
  const top = await leaderboardRows(deps, communityId, 100);
  const scores = new Map((top ?? []).map((row) => [row.user_id, row]));
  // The leaderboard holds at most 100 rows; when it is full, others need their own look-up.
  const missing = top && top.length >= 100 ? raw.filter((m) => !scores.has(m.user_id)) : [];
  await mapBounded(missing, 8, async (m) => {
    const r = await callPeer<Omit<LeaderRow, 'rank'>>(
      deps.reputation,
      `/reputation/user/${encodeURIComponent(m.user_id)}`,
      {
        query: { community_id: communityId },
        timeoutMs: deps.apiTimeoutMs,
      },
    );
    if (r.kind === 'ok') scores.set(m.user_id, { ...r.data, rank: 0 });
  });
  const members = raw.map((m) => {
    const s = scores.get(m.user_id);
    return {
      user_id: m.user_id,
      role: m.role,
      reputation: {
        current_score: s?.current_score ?? DEFAULT_SCORE,
        tier: s?.tier ?? null,
        total_events: s?.total_events ?? 0,
        last_activity: s?.last_activity ?? null,
      },
      joined_at: m.joined_at,
      invited_by: m.invited_by,
    };
  });
  members.sort(
    (a, b) =>
      b.reputation.current_score - a.reputation.current_score ||
      (b.reputation.last_activity ?? '').localeCompare(a.reputation.last_activity ?? '') ||
      a.user_id.localeCompare(b.user_id),
  );
  return { members, reputationAvailable: top !== null };
}

interface MarketplaceModule {
  module_id: string;
  name: string;
  display_name: string;
  description: string | null;
  version: string;
  is_core: boolean;
  category?: string;
  repository?: string | null;
  installation: { version: string; enabled: boolean; usage_count: number; last_used: string | null };
  commands?: { command: string; prefix?: string }[];
}

/** The community's effective module set from marketplace, split core / marketplace; null when marketplace is absent. */
export async function communityModules(
  deps: Deps,
  communityId: number,
): Promise<{ core: CoreOrMarketplaceModule[]; marketplace: CoreOrMarketplaceModule[] } | null> {
  const r = await callPeer<{ modules: MarketplaceModule[] }>(
    deps.marketplace,
    `/marketplace/community/${communityId}/modules`,
    { timeoutMs: deps.apiTimeoutMs },
  );
  if (r.kind !== 'ok') return null;
  const rows = r.data.modules.map((m): CoreOrMarketplaceModule => ({
    id: m.module_id,
    command: m.commands?.[0]?.command ?? m.name ?? m.module_id,
    prefix: m.commands?.[0]?.prefix ?? '!',
    description: m.description,
    module_type: m.is_core ? 'core' : 'marketplace',
    location: m.repository ?? null,
    version: m.installation?.version ?? m.version,
    is_active: m.installation?.enabled ?? true,
    usage_count: m.installation?.usage_count ?? 0,
    last_used: m.installation?.last_used ?? null,
    display_name: m.display_name ?? m.name,
  }));
  rows.sort((a, b) => a.command.localeCompare(b.command));
  return {
    core: rows.filter((m) => m.module_type === 'core'),
    marketplace: rows.filter((m) => m.module_type !== 'core'),
  };
}

/** The three OBS URLs exactly as browser-source returns them; null when browser-source is absent. */
export async function overlayUrls(deps: Deps, communityId: number): Promise<OverlayUrls | null> {
  const r = await callPeer<{ urls: OverlayUrls }>(
    deps.browserSource,
    `/browser/source/api/communities/${communityId}/urls`,
    {
      timeoutMs: deps.apiTimeoutMs,
    },
  );
  return r.kind === 'ok' ? r.data.urls : null;
}

/** The token segment of `{BASE}/browser/source/<token>/<type>`. */
export function overlayToken(url: string): string | null {
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean);
    return parts.length >= 2 ? decodeURIComponent(parts[parts.length - 2]!) : null;
  } catch {
    return null;
  }
}
