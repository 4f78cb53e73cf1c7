import {
  chatResponse,
  skippedResponse,
  userKeyOf,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import { autoShoutout, giveShoutout, type ShoutoutDeps, type ShoutoutOutcome } from './shoutouts.js';

const MODULE = 'shoutout';

function answer(req: ModuleRequest, outcome: ShoutoutOutcome): ModuleResponse {
  return chatResponse(req, MODULE, outcome.chat, {
    additional_responses: [outcome.card],
    response_data: { username: outcome.login, clip_url: outcome.videoUrl },
    ...(outcome.degraded ? { degraded: true } : {}),
  });
}

/** `!so`/`!shoutout` commands and the event-triggered auto-shoutout (`shoutout-auto` row). */
export async function handleShoutoutRequest(deps: ShoutoutDeps, req: ModuleRequest): Promise<ModuleResponse> {
  if (req.trigger_type === 'event') {
    const event = req.event_data ?? {};
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const result = await autoShoutout(deps, {
      communityId: req.community_id,
      entityId: req.entity_id,
      eventType: text(event.message_type) ?? req.message_type,
      targetName: text(event.user_name),
      targetDisplayName: text(event.display_name),
    });
    if (!result.fired) return skippedResponse(req, MODULE, result.reason);
    deps.logger.audit({
      action: 'auto_shoutout',
      community: req.community_id,
      user: 'system',
      result: 'SUCCESS',
      target: result.outcome.login,
    });
    return answer(req, result.outcome);
  }
  const actor = userKeyOf(req.user, req.platform);
  const outcome = await giveShoutout(deps, {
    communityId: req.community_id,
    entityId: req.entity_id,
    role: req.user_context.role,
    rawTarget: req.args[0],
    actor,
  });
  deps.logger.audit({
    action: 'shoutout',
    community: req.community_id,
    user: actor,
    result: 'SUCCESS',
    target: outcome.login,
  });
  return answer(req, outcome);
}
