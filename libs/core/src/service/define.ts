import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Kysely, Migration } from 'kysely';
import type { z } from 'zod';
import type { Auth } from '../auth/middleware.js';
import type { HttpClient, HttpClientOptions, FetchLike, ServiceClientFactory } from '../clients/index.js';
import type { Clock } from '../clock.js';
import type { CommonConfig } from '../config/index.js';
import type { CommandSeed } from '../contracts/messages.js';
import type { Database } from '../db/index.js';
import type { App, ReadinessCheck } from '../http/app.js';
import type { ServiceMetrics } from '../http/metrics.js';
import type { Logger } from '../log/index.js';
import type { ServiceName } from '../registry.js';
import type { StateBackend } from '../state/index.js';

export interface Ids {
  uuid(): string;
}

/** Everything a service's routes and domain functions get, resolved once at start-up. */
export interface ServiceDeps<C = CommonConfig, DB = any> {
  name: ServiceName;
  config: C;
  logger: Logger;
  /** Kysely scoped to the service's own schema. */
  db: Kysely<DB>;
  /** Same schema on the read replica when configured. */
  readDb: Kysely<DB>;
  /** The process database (other schemas only for the sanctioned read-only accesses of contracts §1). */
  database: Database;
  clock: Clock;
  ids: Ids;
  state: StateBackend;
  metrics: ServiceMetrics;
  auth: Auth;
  /** fetch that dispatches in-process to services of this process. */
  fetch: FetchLike;
  /** Client for another WaddleBot service (`serviceClient('router')`). */
  serviceClient: ServiceClientFactory;
  /** Client for an external API (platforms, LLMs) with this service's timeout/retry defaults. */
  httpClient(baseUrl: string, opts?: Partial<Omit<HttpClientOptions, 'baseUrl'>>): HttpClient;
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Stops what `start` began (schedulers, gateway connections). */
export type Stopper = () => Promise<void> | void;

export interface ServiceDefinition<S extends z.ZodRawShape = z.ZodRawShape, DB = any> {
  name: ServiceName;
  version?: string;
  /** The service's own env variables, added to the common ones (platform.md §1.1). */
  config?: S;
  migrations?: Record<string, Migration>;
  /** Registry rows seeded into the router at start-up (contracts §9.2). */
  commands?: (deps: ServiceDeps<Config<S>, DB>) => CommandSeed[];
  /** Extra /readyz checks; the database (and Redis where required) is always checked. */
  readiness?: (deps: ServiceDeps<Config<S>, DB>) => ReadinessCheck[];
  /** Whether /readyz fails when Redis (set by REDIS_URL) is down; router and receivers need it. */
  requiresRedis?: boolean;
  bodyLimitBytes?: number;
  /** Adds the service's routes to the app newApp() built. */
  routes: (app: App, deps: ServiceDeps<Config<S>, DB>) => void;
  /**
   * HTTP upgrade requests (WebSockets) on the service's own port (contracts §2: one port per
   * service). Not called when the service is driven through app.fetch only (tests, dispatch).
   */
  upgrade?: (deps: ServiceDeps<Config<S>, DB>) => UpgradeHandler;
  /** Background work (schedulers, gateway); returns its stopper. */
  start?: (deps: ServiceDeps<Config<S>, DB>) => Promise<Stopper | void> | Stopper | void;
}

export type Config<S extends z.ZodRawShape> = CommonConfig & z.infer<z.ZodObject<S>>;

/** Identity function that pins the definition's types. */
export function defineService<S extends z.ZodRawShape, DB = any>(
  def: ServiceDefinition<S, DB>,
): ServiceDefinition<S, DB> {
  return def;
}
