import type { Clock, Logger } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { CommunityLookup } from './community-lookup.js';
import type { ReputationDB } from './db.js';
import type { ScoreRange } from './scoring-model.js';

/** What the domain modules need; built once in service.ts from ServiceDeps. */
export interface ReputationDeps {
  db: Kysely<ReputationDB>;
  clock: Clock;
  logger: Logger;
  range: ScoreRange;
  communities: CommunityLookup;
}
