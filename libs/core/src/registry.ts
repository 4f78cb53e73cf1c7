/**
 * The one list of WaddleBot services (contracts §1). Compose, Kubernetes, the CI matrix and the
 * all-in-one launcher read this list or are checked against it by a test.
 */
export type ServiceCategory = 'router' | 'receiver' | 'interaction' | 'core' | 'admin';

export interface ServiceInfo {
  readonly name: string;
  readonly port: number;
  readonly category: ServiceCategory;
  /** Start-up order only (platform.md §2): infrastructure plus the router; never run-time calls. */
  readonly dependsOn: readonly ('db' | 'redis' | 'router')[];
  /** Legacy health path served as an alias of /readyz (contracts §15). */
  readonly healthAlias: string;
}

export const SERVICES = [
  {
    name: 'router',
    port: 8000,
    category: 'router',
    dependsOn: ['db', 'redis'],
    healthAlias: '/router/health',
  },
  { name: 'marketplace', port: 8001, category: 'admin', dependsOn: ['db', 'router'], healthAlias: '/health' },
  {
    name: 'twitch',
    port: 8002,
    category: 'receiver',
    dependsOn: ['db', 'redis', 'router'],
    healthAlias: '/twitch/health',
  },
  {
    name: 'discord',
    port: 8003,
    category: 'receiver',
    dependsOn: ['db', 'redis', 'router'],
    healthAlias: '/discord/health',
  },
  {
    name: 'slack',
    port: 8004,
    category: 'receiver',
    dependsOn: ['db', 'redis', 'router'],
    healthAlias: '/slack/health',
  },
  {
    name: 'ai',
    port: 8005,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/api/v1/health',
  },
  { name: 'alias', port: 8010, category: 'interaction', dependsOn: ['db', 'router'], healthAlias: '/health' },
  {
    name: 'shoutout',
    port: 8011,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/health',
  },
  { name: 'community', port: 8020, category: 'core', dependsOn: ['db', 'router'], healthAlias: '/health' },
  { name: 'reputation', port: 8021, category: 'core', dependsOn: ['db', 'router'], healthAlias: '/health' },
  { name: 'labels', port: 8023, category: 'core', dependsOn: ['db', 'redis'], healthAlias: '/health' },
  {
    name: 'inventory',
    port: 8024,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/health',
  },
  {
    name: 'youtube-music',
    port: 8025,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/youtube/music/health',
  },
  {
    name: 'spotify',
    port: 8026,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/spotify/health',
  },
  {
    name: 'browser-source',
    port: 8027,
    category: 'core',
    dependsOn: ['db', 'redis'],
    healthAlias: '/browser/source/health',
  },
  {
    name: 'calendar',
    port: 8030,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/health',
  },
  {
    name: 'memories',
    port: 8031,
    category: 'interaction',
    dependsOn: ['db', 'router'],
    healthAlias: '/health',
  },
  { name: 'identity', port: 8050, category: 'core', dependsOn: ['db', 'redis'], healthAlias: '/health' },
  { name: 'portal', port: 8080, category: 'admin', dependsOn: ['db', 'router'], healthAlias: '/health' },
] as const satisfies readonly ServiceInfo[];

export type ServiceName = (typeof SERVICES)[number]['name'];

export const SERVICE_NAMES: readonly ServiceName[] = SERVICES.map((s) => s.name);

export function serviceInfo(name: string): ServiceInfo {
  const info = SERVICES.find((s) => s.name === name);
  if (!info) throw new Error(`unknown service ${name}`);
  return info;
}

export function isServiceName(name: string): name is ServiceName {
  return SERVICES.some((s) => s.name === name);
}

/** `youtube-music` → `YOUTUBE_MUSIC` (contracts §2). */
export function envPrefix(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}

/** `browser-source` → `browser_source`: the service's Postgres schema (ARCHITECTURE.md). */
export function schemaName(name: string): string {
  return name.replace(/-/g, '_');
}

/** Default `<NAME>_URL` inside compose/Kubernetes (contracts §2). */
export function defaultServiceUrl(name: string): string {
  return `http://${name}:${serviceInfo(name).port}`;
}
