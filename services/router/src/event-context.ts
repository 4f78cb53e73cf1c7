import type { RouterEvent } from '@waddlebot/core';
import type { EntityRecord } from './registry.js';

/** One accepted event after dedup, entity upsert, session and uid resolution (§3.3 steps 1–6). */
export interface EventContext {
  event: RouterEvent;
  entity: EntityRecord;
  sessionId: string;
  uid: string | null;
  userKey: string;
  community: number;
  internal: Set<string>;
}
