import {
  ForbiddenError,
  actingUser,
  hasRole,
  ok,
  restRoute,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import type { Context } from 'hono';
import {
  aliasView,
  createAlias,
  findAlias,
  listAliases,
  removeAlias,
  updateAlias,
  useAlias,
  type AliasDeps,
} from '../aliases.js';
import { TEMPLATE_MAX_CHARS } from '../alias-rules.js';

const CommunityId = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(Number(v)));
/** A name as typed, `!` allowed; the domain validates what is left. */
const AliasName = z.string().min(1).max(33);
const CommunityPath = z.object({ community_id: CommunityId });
const AliasPath = CommunityPath.extend({ alias: AliasName });
const Template = z.string().min(1).max(TEMPLATE_MAX_CHARS);

const ResolveBody = z.object({
  community_id: z
    .union([z.number().int().positive(), z.string().regex(/^\d{1,18}$/)])
    .transform((v) => String(Number(v))),
  alias: AliasName,
  args: z.array(z.string().max(500)).max(50).default([]),
  /** Whose `{user}`/`{user_id}` to substitute; without it they expand to nothing. */
  user: z
    .object({
      name: z.string().max(256).default(''),
      id: z.string().max(256).nullish(),
      display_name: z.string().nullish(),
    })
    .default({ name: '' }),
});

/**
 * The acting user of a write (interaction-modules §1.1). A call naming no user is a trusted
 * service acting on its own; a named user needs moderator, as `!alias add|remove` does in chat.
 */
function writer(c: Context) {
  const user = actingUser(c);
  const named = ['Id', 'Name', 'Role'].some((h) => c.req.header(`X-WaddleBot-User-${h}`) !== undefined);
  if (named && !hasRole(user.role, 'moderator'))
    throw new ForbiddenError("You don't have permission to manage aliases");
  return user;
}

export function mountAliasRestRoutes(app: App, deps: ServiceDeps, aliasDeps: AliasDeps) {
  const auth = deps.auth.require('service');
  const audit = (action: string, community: string, user: string | null, alias: string) =>
    deps.logger.audit({ action, community, user, result: 'SUCCESS', alias });

  // Registered before `/{community_id}` routes, which would otherwise claim the `resolve` segment.
  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: '/api/v1/aliases/resolve',
      summary: 'Look an alias up and expand it, counting a use, without running it',
      params: z.object({}),
      body: ResolveBody,
    },
    async (c, { body }) => {
      const row = await findAlias(aliasDeps, body.community_id, body.alias);
      const used = row
        ? await useAlias(aliasDeps, row, { id: body.user.id ?? null, name: body.user.name }, body.args)
        : undefined;
      if (!used) return ok(c, { found: false });
      return ok(c, { found: true, alias_type: used.row.alias_type, expanded: used.expanded });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: '/api/v1/aliases/{community_id}',
      summary: 'Active aliases',
      params: CommunityPath,
    },
    async (c, { params }) => {
      const rows = await listAliases(aliasDeps, params.community_id);
      return ok(c, { aliases: rows.map(aliasView), total: rows.length });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: '/api/v1/aliases/{community_id}',
      summary: 'Create an alias',
      params: CommunityPath,
      body: z.object({ alias: AliasName, template: Template }),
      status: 201,
    },
    async (c, { params, body }) => {
      const user = writer(c);
      const row = await createAlias(aliasDeps, {
        communityId: params.community_id,
        alias: body.alias,
        template: body.template,
        createdBy: user.id,
        createdByName: user.name,
      });
      audit('alias_create', params.community_id, user.id, row.alias);
      return ok(c, aliasView(row), 201);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'put',
      path: '/api/v1/aliases/{community_id}/{alias}',
      summary: "Change an alias's template",
      params: AliasPath,
      body: z.object({ template: Template }),
    },
    async (c, { params, body }) => {
      const user = writer(c);
      const row = await updateAlias(aliasDeps, params.community_id, params.alias, body.template);
      audit('alias_update', params.community_id, user.id, row.alias);
      return ok(c, aliasView(row));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'delete',
      path: '/api/v1/aliases/{community_id}/{alias}',
      summary: 'Remove an alias (answers 204)',
      params: AliasPath,
    },
    async (c, { params }) => {
      const user = writer(c);
      const row = await removeAlias(aliasDeps, params.community_id, params.alias);
      audit('alias_remove', params.community_id, user.id, row.alias);
      return c.body(null, 204);
    },
  );
}
