import type { Clock, HttpClient, Logger } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { LabelsDB } from './db.js';
import type { PlatformRoleHook } from './platform-role-hook.js';

/** What the domain modules need; built once in service.ts from ServiceDeps. */
export interface LabelDeps {
  db: Kysely<LabelsDB>;
  clock: Clock;
  logger: Logger;
  identity: HttpClient;
  roleHook: PlatformRoleHook;
  /** Runs work after the response (auto-assignment); tests await it through the returned promise. */
  background: (task: () => Promise<void>) => void;
}
