import { conflict, invalid, InventoryError } from './inventory-error.js';
import * as input from './item-input.js';
import { lockItem, saveItem, type Actor, type InventoryDeps } from './item-store.js';
import type { ItemRow, ItemView } from './item-view.js';

/** Locks the item, lets `edit` compute its new labels (or refuse), and saves them with the trail row. */
function editLabels(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  change: { action: 'label_add' | 'label_remove'; label: string },
  edit: (item: ItemRow, labels: string[]) => string[],
): Promise<ItemView> {
  return deps.db.transaction().execute(async (trx) => {
    const item = await lockItem(trx, community, name);
    const labels = edit(item, item.labels ?? []);
    return saveItem(trx, deps, {
      community,
      actor,
      item,
      set: { labels },
      action: change.action,
      details: { label: change.label },
    });
  });
}

export async function addLabel(
  deps: InventoryDeps,
  community: string,
  actor: Actor,
  name: string,
  rawLabel: string,
): Promise<ItemView> {
  const label = input.label(rawLabel);
  return editLabels(deps, community, actor, name, { action: 'label_add', label }, (item, labels) => {
    if (labels.includes(label)) throw conflict(`'${item.item_name}' already has label '${label}'`);
    if (labels.length >= deps.maxLabels) throw invalid(`At most ${deps.maxLabels} labels per item`, 'label');
    return [...labels, label];
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
  return editLabels(deps, community, actor, name, { action: 'label_remove', label }, (item, labels) => {
    if (!labels.includes(label))
      throw new InventoryError('not_found', `'${item.item_name}' has no label '${label}'`, 'label');
    return labels.filter((l) => l !== label);
  });
}
