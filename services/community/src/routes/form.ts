import {
  ConflictError,
  EntityIdSchema,
  chatResponse,
  failureResponse,
  readJson,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, createCommunity } from '../communities.js';
import type { CommunityDeps } from '../community-deps.js';
import { setContext } from '../user-context.js';

const FormSubmissionSchema = z.object({
  action: z.literal('create_community', { error: 'unknown action' }),
  community_name: z.string().trim().min(2).max(NAME_MAX_LENGTH),
  description: z.string().max(DESCRIPTION_MAX_LENGTH).nullish(),
  /** The submitting user's key (contracts §14). */
  user_id: z.string().min(1).max(256),
  entity_id: EntityIdSchema,
  session_id: z.string().min(1),
  execution_id: z.string().nullish(),
});

/**
 * `POST /community/form`: the create-community form of UIs (core-and-admin §4.3). It answers like
 * the command endpoint — a bare ModuleResponse, user-level failures as `success:false` — and 400
 * only for an unknown action or a missing name.
 */
export function mountFormRoute(app: App, deps: ServiceDeps, cdeps: CommunityDeps) {
  app.post('/community/form', deps.auth.require('service'), async (c) => {
    const form = await readJson(c, FormSubmissionSchema);
    const req = { session_id: form.session_id, execution_id: form.execution_id ?? '' };
    try {
      const community = await createCommunity(cdeps, {
        name: form.community_name,
        description: form.description,
        createdBy: form.user_id,
      });
      await setContext(cdeps, form.user_id, form.entity_id, community.id);
      return c.json(
        chatResponse(req, deps.name, `Created community ${community.name}. You are its owner.`, {
          response_data: { community_id: community.id },
        }),
      );
    } catch (err) {
      if (err instanceof ConflictError)
        return c.json(failureResponse(req, deps.name, 'CONFLICT', err.message));
      throw err;
    }
  });
}
