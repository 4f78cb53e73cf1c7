import { sql } from '@waddlebot/core';
import { listActivity, type ActivityEntry } from './activity.js';
import type { InventoryDeps } from './item-store.js';

export interface InventoryStats {
  total_items: number;
  checked_out_items: number;
  available_items: number;
  total_labels: number;
  most_used_labels: { label: string; count: number }[];
  recent_activity: ActivityEntry[];
}

export async function inventoryStats(
  deps: Pick<InventoryDeps, 'db'>,
  community: string,
): Promise<InventoryStats> {
  const counts = await deps.db
    .selectFrom('inventory_items as i')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('inventory_checkouts')
          .select(['item_id', (e) => e.fn.sum<number>('quantity').as('out_qty')])
          .where('community_id', '=', community)
          .where('returned_at', 'is', null)
          .groupBy('item_id')
          .as('o'),
      (join) => join.onRef('o.item_id', '=', 'i.id'),
    )
    .select([
      sql<number>`count(*)`.as('total'),
      sql<number>`count(*) filter (where o.out_qty > 0)`.as('checked_out'),
      sql<number>`count(*) filter (where i.quantity > coalesce(o.out_qty, 0))`.as('available'),
    ])
    .where('i.community_id', '=', community)
    .executeTakeFirstOrThrow();
  const labelCounts = await deps.db
    .selectFrom('inventory_items')
    .select(sql<string>`unnest(labels)`.as('label'))
    .where('community_id', '=', community)
    .execute();
  const tally = new Map<string, number>();
  for (const { label } of labelCounts) tally.set(label, (tally.get(label) ?? 0) + 1);
  const mostUsed = [...tally.entries()]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
  const { activity } = await listActivity(deps, community, { limit: 10 });
  return {
    total_items: Number(counts.total),
    checked_out_items: Number(counts.checked_out),
    available_items: Number(counts.available),
    total_labels: mostUsed.length,
    most_used_labels: mostUsed.slice(0, 10),
    recent_activity: activity,
  };
}
