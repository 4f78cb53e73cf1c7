import { createRoute, z } from '@hono/zod-openapi';
import { ValidationError, ok, type App, type AuthContext, type ServiceDeps } from '@waddlebot/core';
import { EntityTypeSchema } from '../entity-types.js';
import {
  createLabel,
  deleteLabel,
  findActiveLabel,
  labelView,
  listLabels,
  updateLabel,
} from '../label-catalog.js';
import type { LabelDeps } from '../label-deps.js';
import type { LabelAccess } from './access.js';
import { IdParam, envelope, json, requiredActor } from './request-parts.js';

const Color = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be #RRGGBB');
const Name = z.string().trim().min(1).max(100);
const Description = z.string().max(10_000).nullable();
const Icon = z.string().trim().max(50).nullable();

const LabelSchema = z.object({
  id: z.number(),
  name: z.string(),
  category: z.string(),
  description: z.string(),
  color: z.string(),
  icon: z.string().nullable(),
  is_system: z.boolean(),
  created_by: z.string(),
  created_at: z.string(),
  is_active: z.boolean(),
});
const LabelIdData = envelope(z.object({ label_id: z.number() }));

/** Label catalogue routes of core-and-admin §1.2. */
export function mountCatalogRoutes(app: App, deps: ServiceDeps, ldeps: LabelDeps, access: LabelAccess) {
  const svcOrJwt = deps.auth.require('service', 'jwt');

  /** Checks that the caller may change the active label `id`; the actor the change is made as. */
  async function labelChanger(auth: AuthContext, id: number) {
    const label = await findActiveLabel(ldeps, id);
    await access.assertMayChangeLabel(auth, label);
    return { user: auth.user_id ?? 'service', isPlatformAdmin: await access.isAdmin(auth) };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/labels',
      middleware: [svcOrJwt] as const,
      request: {
        query: z.object({
          category: EntityTypeSchema.optional(),
          is_system: z.enum(['true', 'false']).optional(),
        }),
      },
      responses: {
        200: json(envelope(z.object({ labels: z.array(LabelSchema), total: z.number() })), 'labels'),
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const isSystem = q.is_system === undefined ? undefined : q.is_system === 'true';
      return ok(c, await listLabels(ldeps, { category: q.category, isSystem })) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/labels',
      middleware: [svcOrJwt] as const,
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                name: Name,
                category: EntityTypeSchema,
                description: Description.optional(),
                color: Color.optional(),
                icon: Icon.optional(),
                is_system: z.boolean().default(false),
                created_by: z.string().trim().max(100).optional(),
              }),
            },
          },
        },
      },
      responses: { 201: json(LabelIdData, 'created') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const auth = c.get('auth');
      const createdBy = requiredActor(c, body.created_by, 'created_by');
      if (createdBy.length > 100)
        throw new ValidationError('Validation failed', [
          { path: 'created_by', message: 'at most 100 characters' },
        ]);
      if (body.is_system) await access.assertMayCreateSystemLabel(auth);
      const id = await createLabel(ldeps, { ...body, created_by: createdBy });
      return ok(c, { label_id: id }, 201) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/labels/{id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ id: IdParam }) },
      responses: { 200: json(envelope(LabelSchema), 'label') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return ok(c, labelView(await findActiveLabel(ldeps, id))) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/labels/{id}',
      middleware: [svcOrJwt] as const,
      request: {
        params: z.object({ id: IdParam }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ name: Name, description: Description, color: Color, icon: Icon })
                .partial()
                .refine((b) => Object.values(b).some((v) => v !== undefined), {
                  message: 'name, description, color or icon is required',
                }),
            },
          },
        },
      },
      responses: { 200: json(LabelIdData, 'updated') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const changes = c.req.valid('json');
      const actor = await labelChanger(c.get('auth'), id);
      await updateLabel(ldeps, id, changes, actor);
      return ok(c, { label_id: id }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/labels/{id}',
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ id: IdParam }) },
      responses: { 200: json(LabelIdData, 'deleted with its assignments') },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const actor = await labelChanger(c.get('auth'), id);
      await deleteLabel(ldeps, id, actor);
      return ok(c, { label_id: id }) as never;
    },
  );
}
