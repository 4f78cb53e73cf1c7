import type { Clock, Config, HttpClient, Logger, StateBackend } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { IdentityConfigShape } from './config.js';
import type { IdentityDB } from './db.js';
import type { MergeNotifier } from './merge-notifications.js';
import type { CodeSender } from './code-delivery.js';

export type IdentityConfig = Config<IdentityConfigShape>;

/** What identity's domain functions need; no Hono types. */
export interface IdentityDeps {
  db: Kysely<IdentityDB>;
  clock: Clock;
  logger: Logger;
  state: StateBackend;
  config: IdentityConfig;
  router: HttpClient;
  mergeNotifier: MergeNotifier;
  codeSender: CodeSender;
}
