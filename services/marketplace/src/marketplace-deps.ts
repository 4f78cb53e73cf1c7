import type { Clock, HttpClient, Logger, StoredRoleLookup } from '@waddlebot/core';
import type { Kysely, Transaction } from 'kysely';
import type { MarketplaceDB } from './db.js';

export type Queryable = Kysely<MarketplaceDB> | Transaction<MarketplaceDB>;

/** What the marketplace's domain functions need; resolved once in service.ts. */
export interface MarketplaceDeps {
  db: Kysely<MarketplaceDB>;
  /** Process database, for libs/core's read-only platform-admin lookup (contracts §1). */
  root: Kysely<any>;
  clock: Clock;
  logger: Logger;
  community: HttpClient;
  storedRole: StoredRoleLookup;
  router: HttpClient;
}
