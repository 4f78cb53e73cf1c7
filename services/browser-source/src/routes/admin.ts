import { createRoute, z } from '@hono/zod-openapi';
import { NotFoundError, sha256Hex, ok, type App, type AuthContext, type ServiceDeps } from '@waddlebot/core';
import type { BrowserSourceContext } from '../browser-source-context.js';
import { SOURCE_TYPES, type SourceType } from '../source-types.js';
import {
  deactivateToken,
  ensureCommunityTokens,
  findActiveToken,
  overlayUrl,
  regenerateToken,
  type OverlayToken,
} from '../tokens.js';
import { CommunityIdValue } from './display.js';

const envelope = <T extends z.ZodType>(data: T, description: string) => ({
  description,
  content: { 'application/json': { schema: z.object({ success: z.literal(true), data }) } },
});
const TokenSet = z.object({
  tokens: z.object(
    Object.fromEntries(
      SOURCE_TYPES.map((t) => [t, z.object({ token: z.string(), url: z.string() })]),
    ) as Record<SourceType, z.ZodObject<{ token: z.ZodString; url: z.ZodString }>>,
  ),
});
const TokenParam = z.object({ token: z.string().min(1).max(128) });

/** Token administration and the portal's URL list (core-and-admin §2.3). */
export function mountAdminRoutes(app: App, deps: ServiceDeps, ctx: BrowserSourceContext) {
  const svcOrJwt = deps.auth.require('service', 'jwt');
  const tokenSet = (tokens: Record<SourceType, OverlayToken>) => ({
    tokens: Object.fromEntries(
      SOURCE_TYPES.map((t) => [
        t,
        { token: tokens[t].token, url: overlayUrl(ctx.tokens.baseUrl, tokens[t].token, t) },
      ]),
    ) as Record<SourceType, { token: string; url: string }>,
  });
  const audit = (
    auth: AuthContext,
    action: string,
    communityId: number,
    extra: Record<string, unknown> = {},
  ) =>
    ctx.logger.audit({
      action,
      user: auth.user_id ?? 'service',
      community: communityId,
      result: 'SUCCESS',
      ...extra,
    });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/browser/source/admin/tokens',
      summary: "Create a community's missing overlay tokens and return all three",
      middleware: [svcOrJwt] as const,
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ community_id: CommunityIdValue }) } },
        },
      },
      responses: { 200: envelope(TokenSet, 'the three tokens and URLs') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('json');
      await ctx.assertOverlayAdmin(c.get('auth'), community_id);
      const tokens = await ensureCommunityTokens(ctx.tokens, community_id);
      audit(c.get('auth'), 'overlay_tokens_issued', community_id);
      return ok(c, tokenSet(tokens)) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/browser/source/admin/tokens',
      summary: "A community's overlay tokens (created on first request)",
      middleware: [svcOrJwt] as const,
      request: { query: z.object({ community_id: CommunityIdValue }) },
      responses: { 200: envelope(TokenSet, 'the three tokens and URLs') },
    }),
    async (c) => {
      const { community_id } = c.req.valid('query');
      await ctx.assertOverlayAdmin(c.get('auth'), community_id);
      return ok(c, tokenSet(await ensureCommunityTokens(ctx.tokens, community_id))) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/browser/source/admin/tokens/{token}/regenerate',
      summary: 'Replace a token; sockets opened with the old one are closed (1008)',
      middleware: [deps.auth.require('service', 'jwt')] as const,
      request: { params: TokenParam },
      responses: {
        200: envelope(
          z.object({ source_type: z.enum(SOURCE_TYPES), token: z.string(), url: z.string() }),
          'new token',
        ),
      },
    }),
    async (c: any): Promise<any> => {
      const { token } = c.req.valid('param') as { token: string };
      const current = await findActiveToken(ctx.tokens.db, token);
      if (!current) throw new NotFoundError('Overlay token not found');
      await ctx.assertOverlayAdmin(c.get('auth'), current.community_id);
      const fresh = await regenerateToken(ctx.tokens, current);
      if (!fresh) throw new NotFoundError('Overlay token not found');
      await revokeSockets(ctx, token);
      audit(c.get('auth'), 'overlay_token_regenerated', current.community_id, {
        source_type: current.source_type,
      });
      return ok(c, {
        source_type: fresh.source_type,
        token: fresh.token,
        url: overlayUrl(ctx.tokens.baseUrl, fresh.token, fresh.source_type),
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/browser/source/admin/tokens/{token}',
      summary: 'Deactivate a token; a later POST admin/tokens re-issues one',
      middleware: [deps.auth.require('service', 'jwt')] as const,
      request: { params: TokenParam },
      responses: { 200: envelope(z.object({ deactivated: z.literal(true) }), 'deactivated') },
    }),
    async (c: any): Promise<any> => {
      const { token } = c.req.valid('param') as { token: string };
      const current = await findActiveToken(ctx.tokens.db, token);
      if (!current) throw new NotFoundError('Overlay token not found');
      await ctx.assertOverlayAdmin(c.get('auth'), current.community_id);
      if (!(await deactivateToken(ctx.tokens, current))) throw new NotFoundError('Overlay token not found');
      await revokeSockets(ctx, token);
      audit(c.get('auth'), 'overlay_token_deactivated', current.community_id, {
        source_type: current.source_type,
      });
      return ok(c, { deactivated: true as const });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/browser/source/api/communities/{community_id}/urls',
      summary: "A community's three overlay URLs (missing tokens are generated)",
      middleware: [svcOrJwt] as const,
      request: { params: z.object({ community_id: CommunityIdValue }) },
      responses: {
        200: envelope(
          z.object({ urls: z.record(z.string(), z.object({ url: z.string(), created_at: z.string() })) }),
          'the URLs',
        ),
      },
    }),
    async (c) => {
      const { community_id } = c.req.valid('param');
      await ctx.assertOverlayAdmin(c.get('auth'), community_id);
      const tokens = await ensureCommunityTokens(ctx.tokens, community_id);
      const urls = Object.fromEntries(
        SOURCE_TYPES.map((t) => [
          t,
          {
            url: overlayUrl(ctx.tokens.baseUrl, tokens[t].token, t),
            created_at: new Date(tokens[t].created_at).toISOString(),
          },
        ]),
      );
      return ok(c, { urls }) as never;
    },
  );
}

/** Closes this replica's sockets on the old token and tells the other replicas to do the same. */
async function revokeSockets(ctx: BrowserSourceContext, oldToken: string) {
  const digest = sha256Hex(oldToken);
  ctx.sockets.revoke(digest);
  try {
    await ctx.bus.publish({ kind: 'revoke', origin: ctx.delivery.replicaId, token_sha256: digest });
  } catch (err) {
    ctx.logger.error('overlay revoke fan-out failed', { err });
  }
}
