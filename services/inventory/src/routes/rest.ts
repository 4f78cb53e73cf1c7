import { createRoute } from '@hono/zod-openapi';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  actingUser,
  hasRole,
  ok,
  pageMeta,
  z,
  type App,
  type Role,
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
import { checkinItem, checkoutItem } from '../lending.js';
import { addLabel, removeLabel } from '../item-labels.js';
import { inventoryStats } from '../inventory-stats.js';
import { MAX_DESCRIPTION_LENGTH, MAX_LABEL_LENGTH, MAX_NAME_LENGTH, MAX_QUANTITY } from '../item-input.js';
import { publicItem } from '../item-view.js';

const CommunityParam = z.string().regex(/^\d{1,18}$/, 'must be a decimal community id');
const NameParam = z.string().min(1).max(MAX_NAME_LENGTH);
const CommunityParams = z.object({ community_id: CommunityParam });
const ItemParams = z.object({ community_id: CommunityParam, name: NameParam });
const LabelParams = ItemParams.extend({ label: z.string().min(1).max(MAX_LABEL_LENGTH) });

/** Whole units; the domain repeats the check so chat and REST answer the same. */
const Quantity = z.number().int().min(1).max(MAX_QUANTITY);

const ItemSchema = z
  .object({
    id: z.number(),
    item_name: z.string(),
    description: z.string().nullable(),
    labels: z.array(z.string()),
    quantity: z.number(),
    available_quantity: z.number(),
    is_checked_out: z.boolean(),
    checked_out_to: z.string().nullable(),
    checked_out_at: z.string().nullable(),
    checked_in_at: z.string().nullable(),
    checkouts: z.array(
      z.object({ checked_out_to: z.string(), quantity: z.number(), checked_out_at: z.string() }),
    ),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('InventoryItem');

const ItemEnvelope = z.object({ success: z.literal(true), data: z.object({ item: ItemSchema }) });
const AnyEnvelope = z.object({ success: z.literal(true), data: z.unknown() });
const ErrorEnvelope = z.object({
  success: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), request_id: z.string() }),
});

const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <S extends z.ZodType>(schema: S) => ({
  body: { required: true, content: { 'application/json': { schema } } },
});
const errors = {
  400: json(ErrorEnvelope, 'validation failed'),
  401: json(ErrorEnvelope, 'service key missing or wrong'),
  403: json(ErrorEnvelope, 'acting user lacks the role'),
  404: json(ErrorEnvelope, 'no such item'),
  409: json(ErrorEnvelope, 'duplicate or wrong state'),
};

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

/** The trusted acting user (interaction-modules §1.1) must hold `role` and name themselves. */
function actorWith(c: Context, role: Role, action: string): Actor {
  const user = actingUser(c);
  if (!hasRole(user.role, role)) throw new ForbiddenError(`You don't have permission to ${action}`);
  if (!user.id)
    throw new ValidationError('X-WaddleBot-User-Id is required', [
      { path: 'X-WaddleBot-User-Id', message: 'Required' },
    ]);
  return { key: user.id, name: user.name };
}

export function mountInventoryRestRoutes(app: App, deps: ServiceDeps, domain: InventoryDeps) {
  const middleware = deps.auth.require('service');
  const base = '/api/v1/inventory/{community_id}';
  const tags = ['inventory'];

  const audit = (action: string, community: string, actor: Actor) =>
    deps.logger.audit({ action, community, user: actor.key, result: 'SUCCESS' });

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/items`,
      tags,
      middleware,
      request: {
        params: CommunityParams,
        query: z.object({
          filter: z.enum(['all', 'available', 'checked_out', 'checkedout']).default('all'),
          q: z.string().max(100).optional(),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
          per_page: z.coerce.number().int().min(1).max(100).default(50),
        }),
      },
      responses: { 200: json(AnyEnvelope, '{items, count}; count is the total over all pages'), ...errors },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const q = c.req.valid('query');
      const filter = q.filter === 'checkedout' ? 'checked_out' : q.filter;
      const { items, total } = await listItems(domain, community_id, {
        filter,
        query: q.q?.trim() || undefined,
        limit: q.per_page,
        offset: (q.page - 1) * q.per_page,
      });
      return ok(
        c,
        { items: items.map(publicItem), count: total },
        200,
        pageMeta(q.page, q.per_page, total),
      ) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/items`,
      tags,
      middleware,
      request: {
        params: CommunityParams,
        ...body(
          z.object({
            item_name: z.string().max(MAX_NAME_LENGTH),
            description: z.string().max(MAX_DESCRIPTION_LENGTH).nullable().optional(),
            labels: z.array(z.string().max(MAX_LABEL_LENGTH)).max(50).optional(),
            quantity: Quantity.optional(),
          }),
        ),
      },
      responses: { 201: json(ItemEnvelope, 'created'), ...errors },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const input = c.req.valid('json');
      const actor = actorWith(c, 'moderator', 'add items');
      const item = await answered(() => addItem(domain, community_id, actor, input));
      audit('inventory_add', community_id, actor);
      return ok(c, { item: publicItem(item) }, 201) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/items/{name}`,
      tags,
      middleware,
      request: { params: ItemParams },
      responses: { 200: json(ItemEnvelope, 'the item with its active checkouts'), ...errors },
    }),
    async (c) => {
      const { community_id, name } = c.req.valid('param');
      const item = await answered(() => getItem(domain, community_id, name));
      return ok(c, { item: publicItem(item) }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: `${base}/items/{name}`,
      tags,
      middleware,
      request: {
        params: ItemParams,
        ...body(
          z
            .object({
              description: z.string().max(MAX_DESCRIPTION_LENGTH).nullable().optional(),
              quantity: Quantity.optional(),
            })
            .refine((v) => v.description !== undefined || v.quantity !== undefined, {
              message: 'Nothing to change',
            }),
        ),
      },
      responses: { 200: json(ItemEnvelope, 'updated'), ...errors },
    }),
    async (c) => {
      const { community_id, name } = c.req.valid('param');
      const changes = c.req.valid('json');
      const actor = actorWith(c, 'moderator', 'change items');
      const item = await answered(() => updateItem(domain, community_id, actor, name, changes));
      audit('inventory_update', community_id, actor);
      return ok(c, { item: publicItem(item) }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/items/{name}`,
      tags,
      middleware,
      request: { params: ItemParams },
      responses: { 204: { description: 'deleted' }, ...errors },
    }),
    async (c) => {
      const { community_id, name } = c.req.valid('param');
      const actor = actorWith(c, 'admin', 'delete items');
      await answered(() => deleteItem(domain, community_id, actor, name));
      audit('inventory_delete', community_id, actor);
      return c.body(null, 204) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/items/{name}/checkout`,
      tags,
      middleware,
      request: {
        params: ItemParams,
        ...body(
          z.object({
            checked_out_to: z.string().min(1).max(MAX_NAME_LENGTH),
            quantity: Quantity.optional(),
          }),
        ),
      },
      responses: { 200: json(ItemEnvelope, 'lent'), ...errors },
    }),
    async (c) => {
      const { community_id, name } = c.req.valid('param');
      const input = c.req.valid('json');
      const actor = actorWith(c, 'moderator', 'check out items');
      const res = await answered(() =>
        checkoutItem(domain, community_id, actor, name, input.checked_out_to, input.quantity ?? 1),
      );
      audit('inventory_checkout', community_id, actor);
      return ok(c, {
        item: publicItem(res.item),
        checked_out_to: res.borrower,
        quantity: res.quantity,
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/items/{name}/checkin`,
      tags,
      middleware,
      request: {
        params: ItemParams,
        ...body(z.object({ checked_out_to: z.string().max(MAX_NAME_LENGTH).optional() })),
      },
      responses: { 200: json(ItemEnvelope, 'returned'), ...errors },
    }),
    async (c) => {
      const { community_id, name } = c.req.valid('param');
      const input = c.req.valid('json');
      const actor = actorWith(c, 'moderator', 'check in items');
      const res = await answered(() => checkinItem(domain, community_id, actor, name, input.checked_out_to));
      audit('inventory_checkin', community_id, actor);
      return ok(c, {
        item: publicItem(res.item),
        checked_out_to: res.borrower,
        quantity: res.quantity,
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: `${base}/items/{name}/labels`,
      tags,
      middleware,
      request: { params: ItemParams, ...body(z.object({ label: z.string().max(MAX_LABEL_LENGTH) })) },
      responses: { 200: json(ItemEnvelope, 'label added'), ...errors },
    }),
    async (c) => {
      const { community_id, name } = c.req.valid('param');
      const { label } = c.req.valid('json');
      const actor = actorWith(c, 'moderator', 'change labels');
      const item = await answered(() => addLabel(domain, community_id, actor, name, label));
      audit('inventory_label_add', community_id, actor);
      return ok(c, { item: publicItem(item) }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/items/{name}/labels/{label}`,
      tags,
      middleware,
      request: { params: LabelParams },
      responses: { 200: json(ItemEnvelope, 'label removed'), ...errors },
    }),
    async (c) => {
      const { community_id, name, label } = c.req.valid('param');
      const actor = actorWith(c, 'moderator', 'change labels');
      const item = await answered(() => removeLabel(domain, community_id, actor, name, label));
      audit('inventory_label_remove', community_id, actor);
      return ok(c, { item: publicItem(item) }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/stats`,
      tags,
      middleware,
      request: { params: CommunityParams },
      responses: { 200: json(AnyEnvelope, 'totals, top 10 labels, last 10 activity entries'), ...errors },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      return ok(c, await inventoryStats(domain, community_id)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: `${base}/activity`,
      tags,
      middleware,
      request: {
        params: CommunityParams,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          page: z.coerce.number().int().min(1).max(100_000).default(1),
        }),
      },
      responses: { 200: json(AnyEnvelope, '{activity, count}, newest first'), ...errors },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      const q = c.req.valid('query');
      const { activity, total } = await listActivity(domain, community_id, {
        limit: q.limit,
        offset: (q.page - 1) * q.limit,
      });
      return ok(c, { activity, count: total }, 200, pageMeta(q.page, q.limit, total)) as never;
    },
  );
}
