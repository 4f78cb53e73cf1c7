import { ConflictError, ForbiddenError, NotFoundError, isUniqueViolation } from '@waddlebot/core';
import type { LabelRow } from './db.js';
import type { EntityType } from './entity-types.js';
import type { LabelDeps } from './label-deps.js';

export const LIST_MAX = 1000;
export const DEFAULT_COLOR = '#000000';

/** The `Label` shape of core-and-admin §1.2. */
export interface LabelView {
  id: number;
  name: string;
  category: string;
  description: string;
  color: string;
  icon: string | null;
  is_system: boolean;
  created_by: string;
  created_at: string;
  is_active: boolean;
}

export function labelView(row: LabelRow): LabelView {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    description: row.description ?? '',
    color: row.color ?? DEFAULT_COLOR,
    icon: row.icon,
    is_system: row.is_system,
    created_by: row.created_by,
    created_at: new Date(row.created_at).toISOString(),
    is_active: row.is_active,
  };
}

export async function listLabels(
  deps: Pick<LabelDeps, 'db'>,
  filter: { category?: EntityType; isSystem?: boolean },
): Promise<{ labels: LabelView[]; total: number }> {
  let q = deps.db.selectFrom('labels').where('is_active', '=', true);
  if (filter.category) q = q.where('category', '=', filter.category);
  if (filter.isSystem !== undefined) q = q.where('is_system', '=', filter.isSystem);
  const rows = await q
    .selectAll()
    .orderBy('category')
    .orderBy('name')
    .orderBy('id')
    .limit(LIST_MAX)
    .execute();
  const { total } = await q.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirstOrThrow();
  return { labels: rows.map(labelView), total: Number(total) };
}

export async function findActiveLabel(deps: Pick<LabelDeps, 'db'>, id: number): Promise<LabelRow> {
  const row = await deps.db
    .selectFrom('labels')
    .selectAll()
    .where('id', '=', id)
    .where('is_active', '=', true)
    .executeTakeFirst();
  if (!row) throw new NotFoundError('Label not found');
  return row;
}

export interface NewLabel {
  name: string;
  category: EntityType;
  description?: string | null;
  color?: string;
  icon?: string | null;
  is_system: boolean;
  created_by: string;
}

export async function createLabel(deps: LabelDeps, input: NewLabel): Promise<number> {
  const now = deps.clock.now();
  try {
    const row = await deps.db
      .insertInto('labels')
      .values({
        name: input.name,
        category: input.category,
        description: input.description ?? null,
        color: input.color ?? DEFAULT_COLOR,
        icon: input.icon ?? null,
        is_system: input.is_system,
        created_by: input.created_by,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    deps.logger.audit({
      action: 'label_create',
      user: input.created_by,
      result: 'SUCCESS',
      label_id: row.id,
      label_category: input.category,
    });
    return row.id;
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError('A label with that name already exists in this category');
    throw err;
  }
}

export interface LabelChanges {
  name?: string;
  description?: string | null;
  color?: string;
  icon?: string | null;
}

/** System labels belong to the platform: only a platform administrator changes them. */
function assertMutable(label: LabelRow, actorIsPlatformAdmin: boolean) {
  if (label.is_system && !actorIsPlatformAdmin) throw new ForbiddenError('System labels cannot be changed');
}

export async function updateLabel(
  deps: LabelDeps,
  id: number,
  changes: LabelChanges,
  actor: { user: string; isPlatformAdmin: boolean },
): Promise<void> {
  const label = await findActiveLabel(deps, id);
  assertMutable(label, actor.isPlatformAdmin);
  try {
    await deps.db
      .updateTable('labels')
      .set({ ...changes, updated_at: deps.clock.now() })
      .where('id', '=', id)
      .where('is_active', '=', true)
      .execute();
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError('A label with that name already exists in this category');
    throw err;
  }
  deps.logger.audit({ action: 'label_update', user: actor.user, result: 'SUCCESS', label_id: id });
}

/** Soft-deletes the label and every assignment of it, in one transaction. */
export async function deleteLabel(
  deps: LabelDeps,
  id: number,
  actor: { user: string; isPlatformAdmin: boolean },
): Promise<void> {
  const label = await findActiveLabel(deps, id);
  assertMutable(label, actor.isPlatformAdmin);
  const now = deps.clock.now();
  const removed = await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable('labels').set({ is_active: false, updated_at: now }).where('id', '=', id).execute();
    const res = await trx
      .updateTable('entity_labels')
      .set({ is_active: false })
      .where('label_id', '=', id)
      .where('is_active', '=', true)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  });
  deps.logger.audit({
    action: 'label_delete',
    user: actor.user,
    result: 'SUCCESS',
    label_id: id,
    assignments_removed: removed,
  });
}
