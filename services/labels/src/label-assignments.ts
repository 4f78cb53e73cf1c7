import { ConflictError, NotFoundError, ValidationError, sql, type AppError } from '@waddlebot/core';
import { labelLimitOf, type EntityType } from './entity-types.js';
import type { LabelDeps } from './label-deps.js';

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

export type ApplyResult = { ok: true; id: number } | { ok: false; error: AppError };

/** One advisory lock per (entity, community scope): the unit the limit and duplicates are judged in. */
const scopeKey = (a: { entity_type: string; entity_id: string; community_id: string | null }) =>
  `labels:${a.entity_type}:${a.entity_id}:${a.community_id ?? ''}`;
const INSERT_CHUNK = 500;

/**
 * Applies labels in order (core-and-admin §1.2/§1.3), with the single form's rules for every
 * item: one failure does not stop the others. The whole batch is a handful of statements in one
 * transaction under advisory locks on the entities it touches (taken in sorted order, so
 * concurrent batches cannot deadlock), so no concurrent apply can pass a limit or duplicate a row.
 * Expired rows are retired first: they neither block a re-apply nor count against the limit.
 */
export async function applyLabels(deps: LabelDeps, apps: Application[]): Promise<ApplyResult[]> {
  const now = deps.clock.now();
  const results: (ApplyResult | undefined)[] = new Array(apps.length);
  const labelIds = [...new Set(apps.map((a) => a.label_id))];
  const labels = new Map(
    labelIds.length === 0
      ? []
      : (
          await deps.db
            .selectFrom('labels')
            .select(['id', 'category'])
            .where('id', 'in', labelIds)
            .where('is_active', '=', true)
            .execute()
        ).map((l) => [l.id, l.category]),
  );
  apps.forEach((app, i) => {
    const category = labels.get(app.label_id);
    if (category === undefined) results[i] = { ok: false, error: new NotFoundError('Label not found') };
    else if (category !== app.entity_type)
      results[i] = {
        ok: false,
        error: new ValidationError(`A ${category} label cannot be applied to a ${app.entity_type}`, [
          { path: 'entity_type', message: `must be ${category} for this label` },
        ]),
      };
    else if (app.expires_at && app.expires_at <= now)
      results[i] = {
        ok: false,
        error: new ValidationError('expires_at must be in the future', [
          { path: 'expires_at', message: 'must be in the future' },
        ]),
      };
  });
  const pending = apps.map((app, i) => ({ app, i })).filter(({ i }) => !results[i]);

  if (pending.length > 0) {
    const inserted = await deps.db.transaction().execute(async (trx) => {
      const keys = [...new Set(pending.map(({ app }) => scopeKey(app)))].sort();
      // The sorted subquery feeds the locks in key order.
      await sql`select pg_advisory_xact_lock(hashtext(s.k)) from (select k from (values ${sql.join(
        keys.map((k) => sql`(${k})`),
      )}) as v(k) order by k) as s`.execute(trx);
      const entityIds = [...new Set(pending.map(({ app }) => app.entity_id))];
      await trx
        .updateTable('entity_labels')
        .set({ is_active: false })
        .where('entity_id', 'in', entityIds)
        .where('is_active', '=', true)
        .where('expires_at', '<=', now)
        .execute();
      const heldRows = await trx
        .selectFrom('entity_labels')
        .select(['entity_id', 'entity_type', 'community_id', 'label_id'])
        .where('entity_id', 'in', entityIds)
        .where('is_active', '=', true)
        .execute();
      const held = new Map<string, Set<number>>();
      const heldBy = (key: string) => held.get(key) ?? held.set(key, new Set()).get(key)!;
      for (const r of heldRows) heldBy(scopeKey(r)).add(r.label_id);

      const accepted: { app: Application; i: number }[] = [];
      for (const p of pending) {
        const set = heldBy(scopeKey(p.app));
        const limit = labelLimitOf(p.app.entity_type);
        if (set.has(p.app.label_id))
          results[p.i] = {
            ok: false,
            error: new ConflictError('The label is already applied to this entity'),
          };
        else if (set.size >= limit)
          results[p.i] = {
            ok: false,
            error: new ValidationError(
              `Label limit reached: a ${p.app.entity_type} can hold at most ${limit} labels`,
              [{ path: 'label_id', message: `limit of ${limit} labels reached` }],
            ),
          };
        else {
          set.add(p.app.label_id);
          accepted.push(p);
        }
      }
      const ids: number[] = [];
      for (let c = 0; c < accepted.length; c += INSERT_CHUNK) {
        const chunk = accepted.slice(c, c + INSERT_CHUNK);
        const rows = await trx
          .insertInto('entity_labels')
          .values(
            chunk.map(({ app }) => ({
              entity_id: app.entity_id,
              entity_type: app.entity_type,
              label_id: app.label_id,
              community_id: app.community_id,
              applied_by: app.applied_by,
              applied_at: now,
              expires_at: app.expires_at,
              metadata: JSON.stringify(app.metadata),
            })),
          )
          .returning(['id', 'entity_id', 'entity_type', 'community_id', 'label_id'])
          .execute();
        // Matched back by (scope, label), which is unique within the batch.
        const byKey = new Map(rows.map((r) => [`${scopeKey(r)}#${r.label_id}`, r.id]));
        for (const { app } of chunk) ids.push(byKey.get(`${scopeKey(app)}#${app.label_id}`)!);
      }
      return accepted.map((p, n) => ({ ...p, id: ids[n]! }));
    });
    for (const { app, i, id } of inserted) {
      results[i] = { ok: true, id };
      deps.logger.audit({
        action: 'label_apply',
        user: app.applied_by,
        community: app.community_id,
        result: 'SUCCESS',
        label_id: app.label_id,
        entity_type: app.entity_type,
        entity_id: app.entity_id,
      });
    }
  }
  return results as ApplyResult[];
}

/** The single form: the id, or the typed error of the failure. */
export async function applyLabel(deps: LabelDeps, app: Application): Promise<number> {
  const [result] = await applyLabels(deps, [app]);
  if (!result!.ok) throw result!.error;
  return result!.id;
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
