import {
  NotFoundError,
  UpstreamError,
  parseEntityId,
  type OutboundMessage,
  type Reply,
} from '@waddlebot/core';
import { monitoredByReceiver } from './receiver-channels.js';
import { ensureEntity, findEntity } from './registry.js';
import type { RouterContext } from './router-deps.js';

/** Marks a key whose delivery is under way, so a concurrent duplicate waits instead of sending. */
const IN_FLIGHT = 'in-flight';
const IN_FLIGHT_POLL_MS = 25;

const outboundKey = (idempotencyKey: string) => `waddlebot:outbound:${idempotencyKey}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A `chat` needs an active entity (contracts §12). One the router has not seen yet counts when
 * its receiver monitors it: channels are registered with the receivers, and a reminder may be
 * the first thing a channel ever gets.
 */
async function checkChatEntity(ctx: RouterContext, entityId: string) {
  const entity = await findEntity(ctx, entityId);
  if (entity) {
    if (!entity.is_active) throw new NotFoundError('Entity not found');
    return;
  }
  if (!(await monitoredByReceiver(ctx, entityId))) throw new NotFoundError('Entity not found');
  await ensureEntity(ctx, entityId);
}

/**
 * Claims the idempotency key for this delivery. Returns the outbound id of an earlier delivery
 * when there is one; waits while another request is delivering the same key.
 */
async function claimKey(ctx: RouterContext, key: string): Promise<{ delivered: string } | null> {
  // The claim outlives the receiver call it guards, so a crashed holder frees the key.
  const claimSeconds = ctx.config.REQUEST_TIMEOUT + 10;
  const deadline = Date.now() + claimSeconds * 1000;
  for (;;) {
    if (await ctx.deps.state.kv.setIfAbsent(key, IN_FLIGHT, claimSeconds)) return null;
    const value = await ctx.deps.state.kv.get(key);
    if (value && value !== IN_FLIGHT) return { delivered: value };
    if (Date.now() > deadline) throw new UpstreamError('Another delivery of this message is still running');
    await sleep(IN_FLIGHT_POLL_MS);
  }
}

function replyOf(msg: OutboundMessage): Reply {
  if (msg.type === 'chat') return { type: 'chat', text: msg.text };
  return {
    type: 'dm',
    text: msg.text,
    ...(msg.user_id ? { user_id: msg.user_id } : {}),
    ...(msg.user_name ? { user_name: msg.user_name } : {}),
  };
}

/** One reply through the receiver's `/send` (contracts §11), no reply_context. */
async function deliver(ctx: RouterContext, msg: OutboundMessage) {
  const platform = msg.entity_id ? (parseEntityId(msg.entity_id)?.platform ?? msg.platform) : msg.platform;
  let status: number;
  try {
    // No retries here: callers retry with the same key (contracts §12), and a second attempt
    // after a 502 could post a message the receiver half-delivered.
    const res = await ctx.deps
      .serviceClient(platform)
      .post(
        `/${platform}/send`,
        { ...(msg.entity_id ? { entity_id: msg.entity_id } : {}), replies: [replyOf(msg)] },
        { retries: 0 },
      );
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
  return platform;
}

/**
 * `POST /router/messages/outbound` (contracts §12, router-and-receivers §3.13.1): entity check,
 * idempotency key (recorded only after delivery), one reply through the receiver's `/send`.
 */
export async function sendOutbound(ctx: RouterContext, msg: OutboundMessage) {
  const key = outboundKey(msg.idempotency_key);
  const previous = await ctx.deps.state.kv.get(key);
  if (previous && previous !== IN_FLIGHT)
    return { success: true as const, outbound_id: previous, duplicate: true };

  if (msg.type === 'chat') await checkChatEntity(ctx, msg.entity_id!);
  const claimed = await claimKey(ctx, key);
  if (claimed) return { success: true as const, outbound_id: claimed.delivered, duplicate: true };

  let platform: string;
  try {
    platform = await deliver(ctx, msg);
  } catch (err) {
    // Not delivered: the caller's retry with the same key must send it.
    await ctx.deps.state.kv.del(key).catch(() => undefined);
    throw err;
  }
  const outboundId = ctx.deps.ids.uuid();
  await ctx.deps.state.kv.set(key, outboundId, ctx.config.ROUTER_OUTBOUND_DEDUP_TTL);
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
