import { readJson, type App } from '../http/app.js';
import { AppError, UpstreamError, ValidationError } from '../http/errors.js';
import { SendBodySchema, type Reply } from '../contracts/messages.js';
import { parseEntityId, type ParsedEntityId, type Platform } from '../contracts/ids.js';
import type { Logger } from '../log/index.js';
import type { ServiceDeps } from '../service/define.js';
import { documentPlainRoutes } from './route-docs.js';

/** Where replies go: the entity (absent for dm-only sends) and the opaque reply_context (contracts §11). */
export interface ReplyTarget {
  entityId?: string;
  entity?: ParsedEntityId;
  replyContext: Record<string, unknown>;
}

export interface DeliveryReport {
  delivered: number;
  /** The first failure per reply, in order; user-visible (404, 502) errors only. */
  errors: AppError[];
}

/** A platform's way of posting Reply objects; used for router results and for `/send`. */
export interface ReplyDeliverer {
  deliver(replies: Reply[], target: ReplyTarget): Promise<DeliveryReport>;
}

/**
 * Delivers replies in order, one at a time; a failed reply does not stop the next. `send`
 * returns false for a reply that was deliberately skipped (e.g. a delete the bot cannot do).
 */
export async function deliverEach(
  replies: Reply[],
  logger: Logger,
  send: (reply: Reply, index: number) => Promise<boolean>,
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, errors: [] };
  for (const [index, reply] of replies.entries()) {
    try {
      if (await send(reply, index)) report.delivered++;
    } catch (err) {
      const error = err instanceof AppError ? err : new UpstreamError('Delivery failed');
      if (!(err instanceof AppError)) logger.error('reply delivery failed', { reply_type: reply.type, err });
      report.errors.push(error);
    }
  }
  return report;
}

/**
 * `POST /<platform>/send` (contracts §11): service key, SendBody validation, the entity must be
 * this platform's; answers `{success:true, delivered}` or the first delivery error (404/502).
 */
export function mountSendRoute(
  app: App,
  deps: Pick<ServiceDeps, 'auth' | 'logger'>,
  opts: { platform: Platform; deliverer: () => ReplyDeliverer },
) {
  documentPlainRoutes(app, [
    {
      method: 'post',
      path: `/${opts.platform}/send`,
      summary: 'Deliver Reply objects: router async replies and outbound messages (contracts §11)',
      serviceKey: true,
      body: { contentType: 'application/json', schema: SendBodySchema },
    },
  ]);
  app.post(`/${opts.platform}/send`, deps.auth.require('service'), async (c) => {
    const body = await readJson(c, SendBodySchema);
    const entity = body.entity_id ? parseEntityId(body.entity_id) : undefined;
    if (entity && entity.platform !== opts.platform) {
      throw new ValidationError('Validation failed', [
        { path: 'entity_id', message: `must be a ${opts.platform} entity` },
      ]);
    }
    const report = await opts.deliverer().deliver(body.replies, {
      entityId: body.entity_id,
      entity: entity ?? undefined,
      replyContext: body.reply_context ?? {},
    });
    if (report.errors.length > 0) throw report.errors[0]!;
    return c.json({ success: true, delivered: report.delivered });
  });
}
