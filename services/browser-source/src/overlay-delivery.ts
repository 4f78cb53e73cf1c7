import type { Clock, Logger } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { BrowserSourceDB } from './db.js';
import { displayFrame, type NormalisedDisplay } from './display.js';
import { MAX_INLINE_FRAME_BYTES, type BusMessage, type FrameBus } from './frame-bus.js';
import type { OverlaySockets } from './overlay-sockets.js';
import { isSourceType, type SourceType } from './source-types.js';

export interface DeliveryDeps {
  db: Kysely<BrowserSourceDB>;
  clock: Clock;
  logger: Logger;
  sockets: OverlaySockets;
  bus: FrameBus;
  /** This replica's id on the bus, so it skips its own messages (it delivered them already). */
  replicaId: string;
}

export interface DisplayRequest {
  communityId: number;
  sourceType: SourceType;
  content: NormalisedDisplay;
  sessionId: string | null;
  moduleName: string | null;
}

/**
 * Stores the display (always, connected or not — §2.4), sends it to this replica's sockets and
 * publishes it for the other replicas. Returns the sockets reached here.
 */
export async function displayOnOverlays(deps: DeliveryDeps, req: DisplayRequest): Promise<number> {
  const createdAt = deps.clock.now();
  const row = await deps.db
    .insertInto('browser_source_history')
    .values({
      community_id: req.communityId,
      source_type: req.sourceType,
      content: JSON.stringify(req.content),
      session_id: req.sessionId,
      module_name: req.moduleName,
      duration: req.content.duration,
      created_at: createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const frame = displayFrame(req.sourceType, req.content, createdAt);
  const delivered = deps.sockets.deliver(req.communityId, req.sourceType, frame);
  const inline = Buffer.byteLength(JSON.stringify(frame)) <= MAX_INLINE_FRAME_BYTES;
  try {
    await deps.bus.publish({
      kind: 'display',
      origin: deps.replicaId,
      community_id: req.communityId,
      source_type: req.sourceType,
      ...(inline ? { frame } : { history_id: row.id }),
    });
  } catch (err) {
    // Local sockets have it and history keeps it for the replay; other replicas miss this one.
    deps.logger.error('overlay fan-out publish failed', { err });
  }
  return delivered;
}

async function historyFrame(db: Kysely<BrowserSourceDB>, historyId: number) {
  const row = await db
    .selectFrom('browser_source_history')
    .select(['source_type', 'content', 'created_at'])
    .where('id', '=', historyId)
    .executeTakeFirst();
  return row ? displayFrame(row.source_type, row.content, new Date(row.created_at)) : undefined;
}

/** Delivers what another replica published to this replica's sockets. */
export async function onFanoutMessage(deps: DeliveryDeps, msg: BusMessage): Promise<void> {
  if (msg.origin === deps.replicaId) return;
  if (msg.kind === 'revoke') {
    deps.sockets.revoke(msg.token_sha256);
    return;
  }
  if (!isSourceType(msg.source_type) || !Number.isSafeInteger(msg.community_id)) return;
  const frame = msg.frame ?? (msg.history_id ? await historyFrame(deps.db, msg.history_id) : undefined);
  if (frame) deps.sockets.deliver(msg.community_id, msg.source_type, frame);
}

/**
 * What an opening socket gets after `connected` (§2.4): the newest `general` frame if it stays
 * until replaced (duration 0) or has time left, the newest `media` frame if it has time left.
 */
export async function replayFrames(
  deps: Pick<DeliveryDeps, 'db' | 'clock'>,
  communityId: number,
  sourceType: SourceType,
): Promise<Record<string, unknown>[]> {
  if (sourceType === 'ticker') return [];
  const row = await deps.db
    .selectFrom('browser_source_history')
    .select(['content', 'duration', 'created_at'])
    .where('community_id', '=', communityId)
    .where('source_type', '=', sourceType)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return [];
  const createdAt = new Date(row.created_at);
  const stays = row.duration === 0;
  const endsAt = createdAt.getTime() + row.duration * 1000;
  if (!stays && endsAt <= deps.clock.now().getTime()) return [];
  return [displayFrame(sourceType, row.content, createdAt)];
}
