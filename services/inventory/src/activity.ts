import type { Clock } from '@waddlebot/core';
import type { ActivityAction } from './db.js';
import { iso, type InventoryDb } from './item-view.js';
import type { Actor } from './item-store.js';

/** The trail row of a change, written in the same transaction as the change. */
export async function recordActivity(
  trx: InventoryDb,
  deps: { clock: Clock },
  entry: {
    community: string;
    itemId: number | null;
    action: ActivityAction;
    actor: Actor;
    details: Record<string, unknown> & { item_name: string };
  },
) {
  await trx
    .insertInto('inventory_activity')
    .values({
      community_id: entry.community,
      item_id: entry.itemId,
      action: entry.action,
      performed_by: entry.actor.key,
      performed_by_name: entry.actor.name,
      details: JSON.stringify(entry.details),
      created_at: deps.clock.now(),
    })
    .execute();
}

export interface ActivityEntry {
  id: number;
  item_id: number | null;
  item_name: string;
  action: ActivityAction;
  performed_by: string;
  performed_by_name: string | null;
  details: Record<string, unknown>;
  created_at: string;
}

export async function listActivity(
  deps: { db: InventoryDb },
  community: string,
  opts: { limit: number; offset?: number },
): Promise<{ activity: ActivityEntry[]; total: number }> {
  const base = deps.db.selectFrom('inventory_activity').where('community_id', '=', community);
  const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await base
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .execute();
  return {
    total: Number(total),
    activity: rows.map((r) => {
      const details = (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<
        string,
        unknown
      >;
      return {
        id: Number(r.id),
        item_id: r.item_id === null ? null : Number(r.item_id),
        item_name: String(details.item_name ?? ''),
        action: r.action,
        performed_by: r.performed_by,
        performed_by_name: r.performed_by_name,
        details,
        created_at: iso(r.created_at),
      };
    }),
  };
}
