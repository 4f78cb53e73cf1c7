import type { Clock, Logger } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { CommunityDB } from './db.js';

/** A change the router's entity→community and role caches must forget (router-and-receivers §3.17). */
export interface RouterCacheChange {
  entity_id?: string;
  community_id?: number;
}

/** What the domain modules need; built once in service.ts from ServiceDeps. */
export interface CommunityDeps {
  db: Kysely<CommunityDB>;
  clock: Clock;
  logger: Logger;
  /** Seconds a `!community context` choice lasts (core-and-admin §4.2: one hour). */
  contextTtlSeconds: number;
  /** Fire-and-forget: never throws, never delays the caller. */
  notifyRouter: (change: RouterCacheChange) => void;
}
