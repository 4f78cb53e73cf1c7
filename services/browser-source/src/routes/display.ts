import { createRoute, z } from '@hono/zod-openapi';
import { ValidationError, type App, type ServiceDeps } from '@waddlebot/core';
import type { BrowserSourceContext } from '../browser-source-context.js';
import { normaliseDisplayData } from '../display.js';
import { displayOnOverlays } from '../overlay-delivery.js';
import { SOURCE_TYPES } from '../source-types.js';

export const CommunityIdValue = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d{1,9}$/, 'must be a decimal community id'),
  ])
  .transform(Number)
  .pipe(z.number().int('must be an integer').positive().max(2_147_483_647));

const DisplayBody = z
  .object({
    // The router sends null when the event had no session; the field itself must be there.
    session_id: z.string().max(255).nullable(),
    community_id: CommunityIdValue.optional(),
    entity_id: z.string().trim().min(1).max(255).optional(),
    source_type: z.enum(SOURCE_TYPES),
    display_data: z.record(z.string(), z.unknown()),
    module_name: z.string().max(100).nullish(),
  })
  .refine((b) => b.community_id !== undefined || b.entity_id !== undefined, {
    message: 'community_id or entity_id is required',
    path: ['community_id'],
  });

/** `POST /browser/source/display` (core-and-admin §2.3), called by the router with the service key. */
export function mountDisplayRoute(app: App, deps: ServiceDeps, ctx: BrowserSourceContext) {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/browser/source/display',
      summary: 'Show something on the overlays of one community and source type',
      middleware: [deps.auth.require('service')] as const,
      request: { body: { required: true, content: { 'application/json': { schema: DisplayBody } } } },
      responses: {
        200: {
          description: 'stored and delivered',
          content: {
            'application/json': {
              schema: z.object({
                success: z.literal(true),
                data: z.object({ session_id: z.string().nullable(), delivered: z.number() }),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const normalised = normaliseDisplayData(body.source_type, body.display_data, ctx.limits);
      if (!normalised.ok)
        throw new ValidationError(
          'Validation failed',
          normalised.issues.map((i) => ({
            path: ['display_data', ...i.path.map(String)].join('.'),
            message: i.message,
          })),
        );
      const communityId = body.community_id ?? (await ctx.community.communityOfEntity(body.entity_id!));
      const delivered = await displayOnOverlays(ctx.delivery, {
        communityId,
        sourceType: body.source_type,
        content: normalised.value,
        sessionId: body.session_id,
        moduleName: body.module_name ?? null,
      });
      ctx.logger.audit({
        action: 'overlay_display',
        community: communityId,
        result: 'SUCCESS',
        source_type: body.source_type,
        delivered,
      });
      return c.json({ success: true as const, data: { session_id: body.session_id, delivered } }, 200);
    },
  );
}
