import { ForbiddenError, NotFoundError, parseEntityId, type ModuleResponse } from '@waddlebot/core';
import type { Selectable } from 'kysely';
import type { ModuleResponsesTable } from './db.js';
import { entityCommunity } from './registry.js';
import { moduleResponseRows } from './module-responses.js';
import { routeOverlays } from './overlays.js';
import { moduleReplies } from './reply-policy.js';
import type { RouterContext } from './router-deps.js';
import { getSession, touchSession } from './sessions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string) => UUID.test(v);

/** `POST /router/responses`: the async follow-up of a 202 (§3.13). */
export async function acceptAsyncResponse(
  ctx: RouterContext,
  res: ModuleResponse & { execution_id: string; session_id: string; module_name: string },
) {
  if (!isUuid(res.execution_id)) throw new NotFoundError('Execution not found');
  const execution = await ctx.db
    .selectFrom('command_executions')
    .select(['execution_id', 'entity_id', 'platform', 'status', 'reply_context'])
    .where('execution_id', '=', res.execution_id)
    .executeTakeFirst();
  if (!execution) throw new NotFoundError('Execution not found');
  const session = isUuid(res.session_id) ? await getSession(ctx, res.session_id) : null;
  if (!session) throw new NotFoundError('Session not found or expired');
  if (session.entity_id !== execution.entity_id)
    throw new ForbiddenError('Session does not belong to this execution');

  const rows = moduleResponseRows(res, res.execution_id, res.session_id, res.module_name);
  const now = ctx.deps.clock.now();
  const inserted = await ctx.db.transaction().execute(async (trx) => {
    const ids = await trx.insertInto('module_responses').values(rows).returning('id').execute();
    await trx
      .updateTable('command_executions')
      .set({
        status: res.success ? 'success' : 'failed',
        completed_at: now,
        response_data: JSON.stringify(res),
      })
      .where('execution_id', '=', res.execution_id)
      .where('status', '=', 'pending')
      .execute();
    return ids;
  });
  await touchSession(ctx, res.session_id, session);

  const community = await entityCommunity(ctx, execution.entity_id);
  routeOverlays(ctx, res, {
    session_id: res.session_id,
    community_id: community,
    module_name: res.module_name,
  });
  // No trigger to reply to any more; a failure without text says nothing (§3.13).
  const replies = moduleReplies(res, (text) => ({ type: 'chat', text }), null);
  const platform = parseEntityId(execution.entity_id)?.platform ?? execution.platform;
  if (replies.length > 0) {
    try {
      const sent = await ctx.deps.serviceClient(platform).post(`/${platform}/send`, {
        entity_id: execution.entity_id,
        reply_context: execution.reply_context ?? null,
        replies,
      });
      if (!sent.ok) ctx.deps.logger.error('receiver refused async reply', { status: sent.status, platform });
    } catch (err) {
      ctx.deps.logger.error('receiver unavailable for async reply', {
        err: (err as Error).message,
        platform,
      });
    }
  }
  return { success: true as const, response_id: inserted[0]?.id ?? null };
}

const truncate = (v: string | null, n: number) => (v && v.length > n ? `${v.slice(0, n)}...` : v);

/** `GET /router/responses/:execution_id`: 404 for an execution the router never created. */
export async function responsesOf(ctx: RouterContext, executionId: string) {
  const execution = await ctx.db
    .selectFrom('command_executions')
    .select('execution_id')
    .where('execution_id', '=', executionId)
    .executeTakeFirst();
  if (!execution) throw new NotFoundError('Execution not found');
  const rows = await ctx.db
    .selectFrom('module_responses')
    .selectAll()
    .where('execution_id', '=', executionId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return { execution_id: executionId, responses: rows.map(responseView), total: rows.length };
}

function responseView(r: Selectable<ModuleResponsesTable>) {
  const common = {
    id: r.id,
    execution_id: r.execution_id,
    session_id: r.session_id,
    module_name: r.module_name,
    success: r.success,
    response_action: r.response_action,
    processing_time_ms: r.processing_time_ms,
    created_at: r.created_at,
    ...(r.error_message ? { error_message: r.error_message } : {}),
  };
  switch (r.response_action) {
    case 'chat':
      return { ...common, chat_message: r.chat_message };
    case 'media':
      return {
        ...common,
        media_type: r.media_type,
        media_url: r.media_url,
        media_data: r.media_data,
        duration: r.duration,
      };
    case 'ticker':
      return { ...common, ticker_text: r.ticker_text, ticker_duration: r.ticker_duration };
    case 'general':
      return {
        ...common,
        content_type: r.content_type,
        content: r.content,
        duration: r.duration,
        style: r.style,
      };
    case 'form':
      return {
        ...common,
        form_title: r.form_title,
        form_description: r.form_description,
        form_fields: r.form_fields,
        form_submit_url: r.form_submit_url,
        form_submit_method: r.form_submit_method,
        form_callback_url: r.form_callback_url,
      };
    default:
      return common;
  }
}

export async function recentResponses(
  ctx: RouterContext,
  q: { module_name?: string; response_action?: string; success_only?: boolean; limit: number },
) {
  let query = ctx.db.selectFrom('module_responses').selectAll();
  if (q.module_name) query = query.where('module_name', '=', q.module_name);
  if (q.response_action) query = query.where('response_action', '=', q.response_action);
  if (q.success_only) query = query.where('success', '=', true);
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map((r) => {
    const v = responseView(r) as Record<string, unknown>;
    if ('chat_message' in v) v.chat_message = truncate(r.chat_message, 100);
    if ('ticker_text' in v) v.ticker_text = truncate(r.ticker_text, 50);
    if ('content' in v) v.content = truncate(r.content, 100);
    return v;
  });
}
