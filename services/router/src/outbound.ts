import {
  NotFoundError,
  UpstreamError,
  parseEntityId,
  type OutboundMessage,
  type Reply,
} from '@waddlebot/core';
import type { RouterContext } from './router-deps.js';
import { findEntity } from './registry.js';

/**
 * `POST /router/messages/outbound` (contracts §12): entity check, idempotency key (recorded only
 * after delivery), one reply through the receiver's `/send`.
 */
export async function sendOutbound(ctx: RouterContext, msg: OutboundMessage) {
  const dedupKey = `waddlebot:outbound:${msg.idempotency_key}`;
  const previous = await ctx.deps.state.kv.get(dedupKey);
  if (previous) return { success: true as const, outbound_id: previous, duplicate: true };

  if (msg.type === 'chat') {
    const entity = msg.entity_id ? await findEntity(ctx, msg.entity_id) : undefined;
    if (!entity || !entity.is_active) throw new NotFoundError('Entity not found');
  }
  const reply: Reply =
    msg.type === 'chat'
      ? { type: 'chat', text: msg.text }
      : {
          type: 'dm',
          text: msg.text,
          ...(msg.user_id ? { user_id: msg.user_id } : {}),
          ...(msg.user_name ? { user_name: msg.user_name } : {}),
        };
  const platform = msg.entity_id ? (parseEntityId(msg.entity_id)?.platform ?? msg.platform) : msg.platform;
  let status: number;
  try {
    const res = await ctx.deps.serviceClient(platform).post(`/${platform}/send`, {
      ...(msg.entity_id ? { entity_id: msg.entity_id } : {}),
      replies: [reply],
    });
    status = res.status;
  } catch (err) {
    ctx.deps.logger.error('receiver unreachable for outbound message', {
      err: (err as Error).message,
      platform,
    });
    throw new UpstreamError('Receiver unavailable');
  }
  if (status === 404 && msg.type === 'dm') throw new NotFoundError('DM recipient not found');
  if (status < 200 || status >= 300) {
    ctx.deps.logger.error('receiver refused outbound message', {
      status,
      platform,
      module_name: msg.module_name,
    });
    throw new UpstreamError('Delivery failed');
  }
  const outboundId = ctx.deps.ids.uuid();
  await ctx.deps.state.kv.set(dedupKey, outboundId, ctx.config.ROUTER_OUTBOUND_DEDUP_TTL);
  ctx.deps.logger.audit({
    action: 'outbound_message',
    user: msg.module_name,
    result: 'SUCCESS',
    module_name: msg.module_name,
    ...(msg.entity_id ? { entity_id: msg.entity_id } : { platform }),
    type: msg.type,
    idempotency_key: msg.idempotency_key,
  });
  return { success: true as const, outbound_id: outboundId, duplicate: false };
}
