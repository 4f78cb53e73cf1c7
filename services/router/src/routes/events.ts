import { RouterEventBatchSchema, readJson, z, type AppEnv } from '@waddlebot/core';
import type { Hono, MiddlewareHandler } from 'hono';
import { processEvent, validateEvent, type PipelineResult } from '../pipeline.js';
import type { RouterContext } from '../router-deps.js';
import { mapBounded } from '../semaphore.js';

/** `POST /events` and `/events/batch` (§3.3, §3.14): flat protocol bodies. */
export function mountEventRoutes(
  r: Hono<AppEnv>,
  ctx: RouterContext,
  svc: MiddlewareHandler<AppEnv>,
  internal: Set<string>,
) {
  r.post('/events', svc, async (c) => {
    const raw = await readJson(c, z.unknown());
    const event = validateEvent(raw);
    const result: PipelineResult = await processEvent(ctx, event, internal);
    return c.json(result, 200);
  });

  r.post('/events/batch', svc, async (c) => {
    const body = await readJson(c, RouterEventBatchSchema);
    const results = await mapBounded(body.events, ctx.config.ROUTER_MAX_CONCURRENT, async (raw, index) => {
      const started = performance.now();
      let event;
      try {
        event = validateEvent(raw);
      } catch (err) {
        return {
          index,
          outcome: 'invalid',
          success: false,
          execution_time_ms: 0,
          error: (err as Error).message,
          valid: false,
        };
      }
      try {
        const res = await processEvent(ctx, event, internal);
        return {
          index,
          outcome: res.outcome,
          ...(res.command ? { command: res.command } : {}),
          success: res.success,
          execution_time_ms: Math.round(performance.now() - started),
          ...(res.error ? { error: res.error.message } : {}),
          valid: true,
        };
      } catch (err) {
        ctx.deps.logger.error('batch event failed', { err, index });
        return {
          index,
          outcome: 'error',
          success: false,
          execution_time_ms: Math.round(performance.now() - started),
          error: 'Processing failed',
          valid: true,
        };
      }
    });
    const processed = results.filter((r) => r.valid);
    const successful = results.filter((r) => r.success).length;
    return c.json({
      success: true,
      total_count: results.length,
      processed_count: processed.length,
      successful_count: successful,
      failed_count: results.length - successful,
      avg_execution_time_ms: processed.length
        ? Math.round(processed.reduce((s, r) => s + r.execution_time_ms, 0) / processed.length)
        : 0,
      results: results.map(({ valid: _valid, ...rest }) => rest),
    });
  });
}
