import { recordActivity } from './activity.js';
import { conflict, invalid, InventoryError } from './inventory-error.js';
import * as input from './item-input.js';
import { lockItem, type Actor, type InventoryDeps } from './item-store.js';
import { viewOf, type InventoryDb, type ItemRow, type ItemView } from './item-view.js';

export async function addLabel(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  rawLabel: string,
): Promise<ItemView> {
  const label = input.label(rawLabel);
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const labels = item.labels ?? [];
    if (labels.includes(label)) throw conflict(`'${item.item_name}' already has label '${label}'`);
    if (labels.length >= deps.maxLabels) throw invalid(`At most ${deps.maxLabels} labels per item`, 'label');
    return changeLabels(trx, deps, community, actor, item, [...labels, label], 'label_add', label);
  });
}

export async function removeLabel(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  rawLabel: string,
): Promise<ItemView> {
  const label = rawLabel.trim().toLowerCase();
  if (!label) throw invalid('Label is required', 'label');
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const labels = item.labels ?? [];
    if (!labels.includes(label))
      throw new InventoryError('not_found', `'${item.item_name}' has no label '${label}'`, 'label');
    const rest = labels.filter((l) => l !== label);
    return changeLabels(trx, deps, community, actor, item, rest, 'label_remove', label);
  });
}

async function changeLabels(
  trx: InventoryDb,
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  item: ItemRow,
  labels: string[],
  action: 'label_add' | 'label_remove',
  label: string,
) {
  const updated = await trx
    .updateTable('inventory_items')
    .set({ labels, updated_at: deps.clock.now() })
    .where('id', '=', item.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordActivity(trx, deps, {
    community,
    itemId: item.id,
    action,
    actor,
    details: { item_name: item.item_name, label },
  });
  return viewOf(trx, updated);
}
