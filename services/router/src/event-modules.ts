import type { Reply } from '@waddlebot/core';
import { runModule } from './command-dispatch.js';
import type { EventContext } from './event-context.js';
import { commandEnablement, findEventModules, type CommandRecord } from './registry.js';
import { senderRole } from './roles.js';
import type { RouterContext } from './router-deps.js';
import { mapBounded } from './semaphore.js';

export interface EventModuleSummary {
  module: string;
  success: boolean;
  status_code: number | null;
  execution_time_ms: number;
  error?: string;
}

const PARALLEL_LIMIT = 5;

/**
 * §3.10: enabled event-triggered modules for the message type; sequential ones in priority
 * order, then parallel ones (at most 5 at once). Failures never fail the event.
 */
export async function runEventModules(
  ctx: RouterContext,
  ec: EventContext,
): Promise<{ summaries: EventModuleSummary[]; replies: Reply[] }> {
  const rows = await findEventModules(ctx, ec.community, ec.event.message_type);
  if (rows.length === 0) return { summaries: [], replies: [] };
  const enabled: CommandRecord[] = [];
  for (const row of rows) if ((await commandEnablement(ctx, row, ec.entity)).enabled) enabled.push(row);
  if (enabled.length === 0) return { summaries: [], replies: [] };
  const role = await senderRole(ctx, ec);

  const runOne = async (row: CommandRecord) => {
    const started = performance.now();
    try {
      const enablement = await commandEnablement(ctx, row, ec.entity);
      const result = await runModule(
        ctx,
        ec,
        row,
        { prefix: row.prefix, command: '', args: [], args_text: '', trigger_type: 'event' },
        role,
        enablement.config,
        'event',
      );
      const summary: EventModuleSummary = {
        module: row.module_name ?? row.command,
        success: result.outcome === 'executed' || result.outcome === 'pending',
        status_code: result.outcome === 'module_error' ? null : result.outcome === 'pending' ? 202 : 200,
        execution_time_ms: Math.round(performance.now() - started),
        ...(result.error ? { error: result.error.message } : {}),
      };
      // Event modules speak only when they have something to say; failure texts stay out of chat.
      return { summary, replies: result.outcome === 'executed' ? result.replies : [] };
    } catch (err) {
      ctx.deps.logger.error('event module failed', { err, module_name: row.module_name });
      return {
        summary: {
          module: row.module_name ?? row.command,
          success: false,
          status_code: null,
          execution_time_ms: Math.round(performance.now() - started),
          error: 'Event module failed',
        },
        replies: [] as Reply[],
      };
    }
  };

  const results = [];
  for (const row of enabled.filter((r) => r.execution_mode !== 'parallel')) results.push(await runOne(row));
  results.push(
    ...(await mapBounded(
      enabled.filter((r) => r.execution_mode === 'parallel'),
      PARALLEL_LIMIT,
      runOne,
    )),
  );
  return { summaries: results.map((r) => r.summary), replies: results.flatMap((r) => r.replies) };
}
