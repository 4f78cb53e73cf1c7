import { ConflictError, NotFoundError, ValidationError, sql } from '@waddlebot/core';
import type { Kysely, Transaction } from 'kysely';
import type { LabelsDB } from './db.js';
import { labelLimitOf, type EntityType } from './entity-types.js';
import { findActiveLabel } from './label-catalog.js';
import type { LabelDeps } from './label-deps.js';

type Queryable = Kysely<LabelsDB> | Transaction<LabelsDB>;

export interface Application {
  entity_id: string;
  entity_type: EntityType;
  label_id: number;
  applied_by: string;
  /** Decimal community id, or null for an assignment that holds everywhere. */
  community_id: string | null;
  expires_at: Date | null;
  metadata: Record<string, unknown>;
}

/**
 * Rows of one entity in one community scope (null = the community-less scope), compared with
 * coalesce like the partial unique index.
 */
function inScope<Q extends { where: (...args: any[]) => Q }>(q: Q, communityId: string | null): Q {
  return communityId === null
    ? q.where('community_id', 'is', null)
    : q.where('community_id', '=', communityId);
}

/** Reads see an assignment only while it is active and not past its expiry (§1.3). */
function visibleAt<Q extends { where: (...args: any[]) => Q }>(q: Q, now: Date): Q {
  return q.where((eb: any) => eb.or([eb('el.expires_at', 'is', null), eb('el.expires_at', '>', now)]));
}

/**
 * Which assignments a read sees: `undefined` every one, a community id that community's and the
 * community-less ones, `null` only the community-less ones.
 */
export type ReadScope = string | null | undefined;

function readScope<Q extends { where: (...args: any[]) => Q }>(q: Q, scope: ReadScope): Q {
  if (scope === undefined) return q;
  if (scope === null) return q.where('el.community_id', 'is', null);
  return q.where((eb: any) => eb.or([eb('el.community_id', '=', scope), eb('el.community_id', 'is', null)]));
}

/**
 * Applies one label (core-and-admin §1.2/§1.3). Under a per-entity advisory lock so two
 * concurrent applies cannot both pass the limit; expired rows of the entity are retired first so
 * they neither block a re-apply nor count against the limit.
 */
export async function applyLabel(deps: LabelDeps, app: Application): Promise<number> {
  const label = await findActiveLabel(deps, app.label_id);
  if (label.category !== app.entity_type)
    throw new ValidationError(`A ${label.category} label cannot be applied to a ${app.entity_type}`, [
      { path: 'entity_type', message: `must be ${label.category} for this label` },
    ]);
  const now = deps.clock.now();
  if (app.expires_at && app.expires_at <= now)
    throw new ValidationError('expires_at must be in the future', [
      { path: 'expires_at', message: 'must be in the future' },
    ]);
  const limit = labelLimitOf(app.entity_type);

  const id = await deps.db.transaction().execute(async (trx) => {
    const lockKey = `labels:${app.entity_type}:${app.entity_id}:${app.community_id ?? ''}`;
    await sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`.execute(trx);
    await inScope(
      trx
        .updateTable('entity_labels')
        .set({ is_active: false })
        .where('entity_id', '=', app.entity_id)
        .where('entity_type', '=', app.entity_type)
        .where('is_active', '=', true)
        .where('expires_at', '<=', now),
      app.community_id,
    ).execute();
    const held = await inScope(
      trx
        .selectFrom('entity_labels')
        .select(['label_id'])
        .where('entity_id', '=', app.entity_id)
        .where('entity_type', '=', app.entity_type)
        .where('is_active', '=', true),
      app.community_id,
    ).execute();
    if (held.some((h) => h.label_id === app.label_id))
      throw new ConflictError('The label is already applied to this entity');
    if (held.length >= limit)
      throw new ValidationError(
        `Label limit reached: a ${app.entity_type} can hold at most ${limit} labels`,
        [{ path: 'label_id', message: `limit of ${limit} labels reached` }],
      );
    const row = await trx
      .insertInto('entity_labels')
      .values({
        entity_id: app.entity_id,
        entity_type: app.entity_type,
        label_id: app.label_id,
        community_id: app.community_id,
        applied_by: app.applied_by,
        applied_at: now,
        expires_at: app.expires_at,
        metadata: JSON.stringify(app.metadata),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  });
  deps.logger.audit({
    action: 'label_apply',
    user: app.applied_by,
    community: app.community_id,
    result: 'SUCCESS',
    label_id: app.label_id,
    entity_type: app.entity_type,
    entity_id: app.entity_id,
  });
  return id;
}

export async function removeLabel(
  deps: LabelDeps,
  target: { entity_id: string; entity_type: EntityType; label_id: number; community_id: string | null },
  actor: string,
): Promise<void> {
  const now = deps.clock.now();
  const res = await inScope(
    deps.db
      .updateTable('entity_labels')
      .set({ is_active: false })
      .where('entity_id', '=', target.entity_id)
      .where('entity_type', '=', target.entity_type)
      .where('label_id', '=', target.label_id)
      .where('is_active', '=', true)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])),
    target.community_id,
  ).executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('No active assignment of that label');
  deps.logger.audit({
    action: 'label_remove',
    user: actor,
    community: target.community_id,
    result: 'SUCCESS',
    label_id: target.label_id,
    entity_type: target.entity_type,
    entity_id: target.entity_id,
  });
}

export interface EntityLabelView {
  id: number;
  label_id: number;
  label_name: string;
  label_color: string;
  label_icon: string | null;
  community_id: string | null;
  applied_by: string;
  applied_at: string;
  expires_at: string | null;
  metadata: Record<string, unknown>;
}

export async function entityLabels(
  deps: Pick<LabelDeps, 'db' | 'clock'>,
  entityType: EntityType,
  entityId: string,
  communityId: ReadScope,
): Promise<EntityLabelView[]> {
  const q = deps.db
    .selectFrom('entity_labels as el')
    .innerJoin('labels as l', 'l.id', 'el.label_id')
    .select([
      'el.id',
      'el.label_id',
      'l.name as label_name',
      'l.color as label_color',
      'l.icon as label_icon',
      'el.community_id',
      'el.applied_by',
      'el.applied_at',
      'el.expires_at',
      'el.metadata',
    ])
    .where('el.entity_type', '=', entityType)
    .where('el.entity_id', '=', entityId)
    .where('el.is_active', '=', true)
    .where('l.is_active', '=', true);
  const rows = await readScope(visibleAt(q, deps.clock.now()), communityId)
    .orderBy('el.applied_at')
    .orderBy('el.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    label_id: r.label_id,
    label_name: r.label_name,
    label_color: r.label_color ?? '#000000',
    label_icon: r.label_icon,
    community_id: r.community_id,
    applied_by: r.applied_by,
    applied_at: new Date(r.applied_at).toISOString(),
    expires_at: r.expires_at ? new Date(r.expires_at).toISOString() : null,
    metadata: r.metadata,
  }));
}

export interface SearchResult {
  entity_id: string;
  entity_type: EntityType;
  labels: { label_id: number; label_name: string; label_color: string }[];
  match_count: number;
}

/**
 * Entities holding every one of the named labels of category `entityType` (names compared
 * case-insensitively, §1.3).
 */
export async function searchEntities(
  deps: Pick<LabelDeps, 'db' | 'clock'>,
  query: { entityType: EntityType; names: string[]; communityId: ReadScope; limit: number },
): Promise<SearchResult[]> {
  const names = [...new Set(query.names.map((n) => n.toLowerCase()))];
  if (names.length === 0) return [];
  const now = deps.clock.now();
  const matching = () =>
    readScope(
      visibleAt(
        deps.db
          .selectFrom('entity_labels as el')
          .innerJoin('labels as l', 'l.id', 'el.label_id')
          .where('el.entity_type', '=', query.entityType)
          .where('l.category', '=', query.entityType)
          .where('el.is_active', '=', true)
          .where('l.is_active', '=', true)
          .where(sql<string>`lower(l.name)`, 'in', names),
        now,
      ),
      query.communityId,
    );
  const entities = await matching()
    .select('el.entity_id')
    .groupBy('el.entity_id')
    .having(sql`count(distinct lower(l.name))`, '=', names.length)
    .orderBy('el.entity_id')
    .limit(query.limit)
    .execute();
  if (entities.length === 0) return [];
  const ids = entities.map((e) => e.entity_id);
  const rows = await matching()
    .select(['el.entity_id', 'l.id as label_id', 'l.name as label_name', 'l.color as label_color'])
    .where('el.entity_id', 'in', ids)
    .orderBy('l.name')
    .execute();
  const byEntity = new Map<string, SearchResult>(
    ids.map((id) => [id, { entity_id: id, entity_type: query.entityType, labels: [], match_count: 0 }]),
  );
  for (const r of rows) {
    const result = byEntity.get(r.entity_id)!;
    // The same label held in a community and community-less counts once.
    if (result.labels.some((l) => l.label_id === r.label_id)) continue;
    result.labels.push({
      label_id: r.label_id,
      label_name: r.label_name,
      label_color: r.label_color ?? '#000000',
    });
    result.match_count = result.labels.length;
  }
  return [...byEntity.values()];
}

/** Hourly sweep (§1.3): assignments and role-group memberships past their expiry become inactive. */
export async function expireAssignments(deps: Pick<LabelDeps, 'db' | 'clock'>): Promise<number> {
  const now = deps.clock.now();
  const labels = await deps.db
    .updateTable('entity_labels')
    .set({ is_active: false })
    .where('is_active', '=', true)
    .where('expires_at', '<', now)
    .executeTakeFirst();
  const members = await deps.db
    .updateTable('platform_role_group_members')
    .set({ is_active: false })
    .where('is_active', '=', true)
    .where('expires_at', '<', now)
    .executeTakeFirst();
  return Number(labels.numUpdatedRows) + Number(members.numUpdatedRows);
}

export type { Queryable };
