import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  actingUser,
  hasRole,
  ok,
  pageMeta,
  restRoute,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import { InventoryError } from '../inventory-error.js';
import { listActivity } from '../activity.js';
import {
  addItem,
  deleteItem,
  getItem,
  listItems,
  updateItem,
  type Actor,
  type InventoryDeps,
} from '../item-store.js';
import { checkinItem, checkoutItem, type LendingResult } from '../lending.js';
import { addLabel, removeLabel } from '../item-labels.js';
import { inventoryStats } from '../inventory-stats.js';
import { MAX_DESCRIPTION_LENGTH, MAX_LABEL_LENGTH, MAX_NAME_LENGTH, MAX_QUANTITY } from '../item-input.js';
import { publicItem } from '../item-view.js';
import { WRITE_PERMISSIONS, type WriteKind } from '../write-permissions.js';

/** Decimal, normalised as the router sends it in chat (`007` is community `7`). */
const CommunityParam = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(Number(v)));
const NameParam = z.string().min(1).max(MAX_NAME_LENGTH);
const CommunityParams = z.object({ community_id: CommunityParam });
const ItemParams = z.object({ community_id: CommunityParam, name: NameParam });
const LabelParams = ItemParams.extend({ label: z.string().min(1).max(MAX_LABEL_LENGTH) });

/** Whole units; the domain repeats the check so chat and REST answer the same. */
const Quantity = z.number().int().min(1).max(MAX_QUANTITY);
const Page = z.coerce.number().int().min(1).max(100_000).default(1);

/** Domain refusals become the contracts §5 envelope. */
async function answered<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof InventoryError)) throw err;
    if (err.kind === 'validation')
      throw new ValidationError(err.message, [{ path: err.field ?? '', message: err.message }]);
    if (err.kind === 'not_found') throw new NotFoundError(err.message);
    throw new ConflictError(err.message);
  }
}

const lendingAnswer = (c: Context, res: LendingResult) =>
  ok(c, { item: publicItem(res.item), checked_out_to: res.borrower, quantity: res.quantity });

/** Who a REST write is recorded as when the trusted caller names no user. */
const SYSTEM_ACTOR: Actor = { key: 'system', name: null };

/**
 * The acting user of a write (interaction-modules §1.1). A call naming no user is a trusted
 * service acting on its own, recorded as `system`; a named user needs the role chat asks for.
 */
function actorFor(c: Context, kind: WriteKind): Actor {
  const user = actingUser(c);
  const named = ['Id', 'Name', 'Role'].some((h) => c.req.header(`X-WaddleBot-User-${h}`) !== undefined);
  if (!named) return SYSTEM_ACTOR;
  const { role, action } = WRITE_PERMISSIONS[kind];
  if (!hasRole(user.role, role)) throw new ForbiddenError(`You don't have permission to ${action}`);
  return { key: user.id ?? SYSTEM_ACTOR.key, name: user.name };
}

export function mountInventoryRestRoutes(app: App, deps: ServiceDeps, domain: InventoryDeps) {
  const auth = deps.auth.require('service');
  const base = '/api/v1/inventory/{community_id}';
  const item = `${base}/items/{name}`;

  /** Runs one write as the acting user: refusals become the envelope, a success is audited. */
  async function write<T>(
    c: Context,
    community: string,
    kind: WriteKind,
    auditAction: string,
    work: (actor: Actor) => Promise<T>,
  ): Promise<T> {
    const actor = actorFor(c, kind);
    const result = await answered(() => work(actor));
    deps.logger.audit({ action: auditAction, community, user: actor.key, result: 'SUCCESS' });
    return result;
  }

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/items`,
      summary: 'Items, sorted by name: {items, count}; count is the total over all pages',
      params: CommunityParams,
      query: z.object({
        filter: z.enum(['all', 'available', 'checked_out', 'checkedout']).default('all'),
        q: z.string().max(100).optional(),
        page: Page,
        per_page: z.coerce.number().int().min(1).max(100).default(50),
      }),
    },
    async (c, { params, query: q }) => {
      const { items, total } = await listItems(domain, params.community_id, {
        filter: q.filter === 'checkedout' ? 'checked_out' : q.filter,
        query: q.q?.trim() || undefined,
        limit: q.per_page,
        offset: (q.page - 1) * q.per_page,
      });
      return ok(c, { items: items.map(publicItem), count: total }, 200, pageMeta(q.page, q.per_page, total));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/items`,
      summary: 'Add an item: 201 {item}',
      params: CommunityParams,
      body: z.object({
        item_name: z.string().max(MAX_NAME_LENGTH),
        description: z.string().max(MAX_DESCRIPTION_LENGTH).nullable().optional(),
        labels: z.array(z.string().max(MAX_LABEL_LENGTH)).max(50).optional(),
        quantity: Quantity.optional(),
      }),
      status: 201,
    },
    async (c, { params, body }) => {
      const added = await write(c, params.community_id, 'add', 'inventory_add', (actor) =>
        addItem(domain, params.community_id, actor, body),
      );
      return ok(c, { item: publicItem(added) }, 201);
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: item, summary: 'One item with its active checkouts: {item}', params: ItemParams },
    async (c, { params }) => {
      const found = await answered(() => getItem(domain, params.community_id, params.name));
      return ok(c, { item: publicItem(found) });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'patch',
      path: item,
      summary: 'Change the description or total quantity (never below the units out)',
      params: ItemParams,
      body: z
        .object({
          description: z.string().max(MAX_DESCRIPTION_LENGTH).nullable().optional(),
          quantity: Quantity.optional(),
        })
        .refine((v) => v.description !== undefined || v.quantity !== undefined, {
          message: 'Nothing to change',
        }),
    },
    async (c, { params, body }) => {
      const updated = await write(c, params.community_id, 'update', 'inventory_update', (actor) =>
        updateItem(domain, params.community_id, actor, params.name, body),
      );
      return ok(c, { item: publicItem(updated) });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'delete',
      path: item,
      summary: 'Delete an item with no units out (admin; answers 204)',
      params: ItemParams,
    },
    async (c, { params }) => {
      await write(c, params.community_id, 'delete', 'inventory_delete', (actor) =>
        deleteItem(domain, params.community_id, actor, params.name),
      );
      return c.body(null, 204);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${item}/checkout`,
      summary: 'Lend units: {item, checked_out_to, quantity}',
      params: ItemParams,
      body: z.object({
        checked_out_to: z.string().min(1).max(MAX_NAME_LENGTH),
        quantity: Quantity.optional(),
      }),
    },
    async (c, { params, body }) => {
      const lent = await write(c, params.community_id, 'checkout', 'inventory_checkout', (actor) =>
        checkoutItem(
          domain,
          params.community_id,
          actor,
          params.name,
          body.checked_out_to,
          body.quantity ?? 1,
        ),
      );
      return lendingAnswer(c, lent);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${item}/checkin`,
      summary: 'Return every unit one borrower holds; the body may be left out when only one does',
      params: ItemParams,
      body: z.object({ checked_out_to: z.string().max(MAX_NAME_LENGTH).optional() }),
    },
    async (c, { params, body }) => {
      const returned = await write(c, params.community_id, 'checkin', 'inventory_checkin', (actor) =>
        checkinItem(domain, params.community_id, actor, params.name, body.checked_out_to),
      );
      return lendingAnswer(c, returned);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${item}/labels`,
      summary: 'Add a label: {item}',
      params: ItemParams,
      body: z.object({ label: z.string().max(MAX_LABEL_LENGTH) }),
    },
    async (c, { params, body }) => {
      const labelled = await write(c, params.community_id, 'labels', 'inventory_label_add', (actor) =>
        addLabel(domain, params.community_id, actor, params.name, body.label),
      );
      return ok(c, { item: publicItem(labelled) });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'delete',
      path: `${item}/labels/{label}`,
      summary: 'Remove a label: {item}',
      params: LabelParams,
    },
    async (c, { params }) => {
      const unlabelled = await write(c, params.community_id, 'labels', 'inventory_label_remove', (actor) =>
        removeLabel(domain, params.community_id, actor, params.name, params.label),
      );
      return ok(c, { item: publicItem(unlabelled) });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/stats`,
      summary: 'Totals, the 10 most used labels and the last 10 activity entries',
      params: CommunityParams,
    },
    async (c, { params }) => ok(c, await inventoryStats(domain, params.community_id)),
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/activity`,
      summary: 'The audit trail, newest first: {activity, count}',
      params: CommunityParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), page: Page }),
    },
    async (c, { params, query: q }) => {
      const { activity, total } = await listActivity(domain, params.community_id, {
        limit: q.limit,
        offset: (q.page - 1) * q.limit,
      });
      return ok(c, { activity, count: total }, 200, pageMeta(q.page, q.limit, total));
    },
  );
}
