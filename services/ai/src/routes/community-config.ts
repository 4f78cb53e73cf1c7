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
import { EVENT_TYPES } from '../ai-config.js';
import { changeCommunitySettings, loadEffectiveSettings, type SettingsDeps } from '../community-settings.js';
import { ModelName } from './llm-api.js';

const CommunityParam = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(BigInt(v)));
const CommunityPath = z.object({ community_id: CommunityParam });

/** Unknown fields are refused (interaction-modules §2); null resets a field to the env default. */
const SettingsChangeBody = z
  .strictObject({
    system_prompt: z.string().trim().min(1).max(2000).nullable().optional(),
    model: ModelName.nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    max_tokens: z.number().int().min(1).max(4096).nullable().optional(),
    response_prefix: z.string().max(20).nullable().optional(),
    passive_chat: z.boolean().nullable().optional(),
    event_types: z
      .array(z.enum(EVENT_TYPES as [string, ...string[]]))
      .max(EVENT_TYPES.length)
      .transform((list) => [...new Set(list)])
      .nullable()
      .optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'Nothing to change' });

/**
 * `GET/PUT /api/v1/ai/config/:community_id`: per-community settings in `ai_community_settings`.
 * Provider, base URLs and keys stay env-only; a community-set base URL would open SSRF.
 */
export function mountCommunityConfigRoutes(app: App, deps: ServiceDeps, settings: SettingsDeps) {
  const auth = deps.auth.require('service');
  const path = '/api/v1/ai/config/{community_id}';

  restRoute(
    app,
    auth,
    { method: 'get', path, summary: "A community's effective AI settings", params: CommunityPath },
    async (c, { params: { community_id } }) => ok(c, await loadEffectiveSettings(settings, community_id)),
  );

  restRoute(
    app,
    auth,
    {
      method: 'put',
      path,
      summary: "Change a community's AI settings",
      params: CommunityPath,
      body: SettingsChangeBody,
    },
    async (c, { params: { community_id }, body }) => {
      const user = actingUser(c);
      // A portal call names its user; changing settings is community.manage_settings (admin, contracts §4).
      // Without a named user the caller is a trusted internal tool holding the service key.
      if (c.req.header('X-WaddleBot-User-Role') !== undefined && !hasRole(user.role, 'admin')) {
        deps.logger.authz({
          action: 'ai_config_update',
          community: community_id,
          user: user.id ?? undefined,
          result: 'DENIED',
        });
        throw new ForbiddenError("You don't have permission to change the AI settings");
      }
      const updated = await changeCommunitySettings(settings, community_id, body as never, user.id);
      deps.logger.audit({
        action: 'ai_config_update',
        community: community_id,
        user: user.id ?? undefined,
        result: 'SUCCESS',
        fields: Object.keys(body),
      });
      return ok(c, updated);
    },
  );
}
