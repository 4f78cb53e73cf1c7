import {
  ConnectionError,
  SERVICES,
  currentRequestId,
  envPrefix,
  type FetchLike,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import type { CommandRecord } from './registry.js';
import { moduleResponseRows, normaliseModuleResponse } from './module-responses.js';
import type { RouterContext } from './router-deps.js';

export type WaddleBotCallType =
  'local-interaction' | 'community' | 'event' | 'string-match-webhook' | 'fallback';

export interface ModuleTarget {
  url: string;
  method: string;
  type: string;
  timeoutSeconds: number;
  location: string;
  headers: Record<string, string>;
  moduleName: string | null;
  commandId: number | null;
}

export function targetOf(row: CommandRecord): ModuleTarget {
  return {
    url: row.location_url,
    method: (row.method || 'POST').toUpperCase(),
    type: row.type,
    timeoutSeconds: row.timeout,
    location: row.location,
    headers: (row.headers as Record<string, string> | null) ?? {},
    moduleName: row.module_name,
    commandId: row.id,
  };
}

export interface ExecutionOutcome {
  status: 'success' | 'failed' | 'timeout' | 'pending';
  httpStatus: number | null;
  /** The module's answer when it handled the request (HTTP 2xx other than 202). */
  response: ModuleResponse | null;
  executionMs: number;
}

/** Origins of the configured `<NAME>_URL`s: only these internal rows receive the service key (§9). */
export function internalOrigins(config: Record<string, unknown>): Set<string> {
  const origins = new Set<string>();
  for (const s of SERVICES) {
    const url = config[`${envPrefix(s.name)}_URL`];
    if (typeof url === 'string') {
      try {
        origins.add(new URL(url).origin);
      } catch {
        // config validated these already
      }
    }
  }
  return origins;
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function requestHeaders(
  ctx: RouterContext,
  target: ModuleTarget,
  callType: WaddleBotCallType,
  executionId: string,
  internal: Set<string>,
): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': 'WaddleBot-Router/1.0',
    'X-WaddleBot-Source': 'router',
    'X-WaddleBot-Type': callType,
    'X-WaddleBot-Execution-Id': executionId,
  };
  const rid = currentRequestId();
  if (rid) headers['X-Request-Id'] = rid;
  for (const [k, v] of Object.entries(target.headers)) {
    // A registry row must not be able to set or override the internal key.
    if (k.toLowerCase() === 'x-service-key' || typeof v !== 'string') continue;
    headers[k] = v;
  }
  const origin = originOf(target.url);
  if (target.location === 'internal' && origin && internal.has(origin)) {
    headers['X-Service-Key'] = ctx.config.SERVICE_API_KEY;
  }
  if (target.type === 'openwhisk' && ctx.config.OPENWHISK_AUTH_KEY) {
    headers.Authorization = `Basic ${Buffer.from(ctx.config.OPENWHISK_AUTH_KEY).toString('base64')}`;
  }
  return headers;
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/**
 * §3.8: writes the execution row before the call, calls the module with its timeout (1–40 s)
 * and retries only on connection errors, 429, 502 and 503, then completes the row and stores one
 * `module_responses` row per action.
 */
export async function executeModule(
  ctx: RouterContext,
  target: ModuleTarget,
  request: ModuleRequest | Record<string, unknown>,
  meta: {
    executionId: string;
    sessionId: string | null;
    entityId: string;
    platform: string;
    triggerType: string;
    userId: string;
    userName: string | null;
    messageContent: string | null;
    args: string[];
    replyContext: Record<string, unknown> | null;
    callType: WaddleBotCallType;
    internal: Set<string>;
  },
): Promise<ExecutionOutcome> {
  await ctx.db
    .insertInto('command_executions')
    .values({
      execution_id: meta.executionId,
      session_id: meta.sessionId,
      command_id: target.commandId,
      entity_id: meta.entityId,
      platform: meta.platform,
      trigger_type: meta.triggerType,
      user_id: meta.userId,
      user_name: meta.userName,
      message_content: meta.messageContent,
      args: JSON.stringify(meta.args),
      location_url: target.url,
      request_payload: JSON.stringify(request),
      reply_context: json(meta.replyContext),
      status: 'pending',
      created_at: ctx.deps.clock.now(),
    })
    .execute();

  const started = performance.now();
  let attempts = 0;
  let outcome: ExecutionOutcome;
  let errorMessage: string | null = null;
  if (!['container', 'webhook', 'lambda', 'openwhisk'].includes(target.type)) {
    errorMessage = 'Unsupported command type';
    outcome = { status: 'failed', httpStatus: null, response: null, executionMs: 0 };
  } else {
    const countingFetch: FetchLike = (input, init) => {
      attempts++;
      return ctx.deps.fetch(input, init);
    };
    const client = ctx.deps.httpClient(target.url, {
      fetch: countingFetch,
      retries: ctx.config.ROUTER_MAX_RETRIES,
      breakerThreshold: 0,
      backoffInitialMs: ctx.config.ROUTER_RETRY_BACKOFF_MS,
      backoffMaxMs: ctx.config.ROUTER_RETRY_BACKOFF_MS * 4,
    });
    const timeoutMs =
      Math.min(40, Math.max(1, target.timeoutSeconds || ctx.config.ROUTER_REQUEST_TIMEOUT)) * 1000;
    const headers = requestHeaders(ctx, target, meta.callType, meta.executionId, meta.internal);
    try {
      const res = await ctx.moduleSlots.run(() =>
        target.method === 'GET'
          ? client.get(target.url, { headers, timeoutMs, query: scalarQuery(request) })
          : client.request(target.url, { method: target.method, headers, body: request, timeoutMs }),
      );
      const ms = Math.round(performance.now() - started);
      if (res.status === 202)
        outcome = { status: 'pending', httpStatus: 202, response: null, executionMs: ms };
      else if (res.status >= 200 && res.status < 300) {
        const response = normaliseModuleResponse(res.body);
        if (response)
          outcome = {
            status: response.success ? 'success' : 'failed',
            httpStatus: res.status,
            response,
            executionMs: ms,
          };
        else {
          errorMessage = 'Module answered with an invalid response';
          outcome = { status: 'failed', httpStatus: res.status, response: null, executionMs: ms };
        }
      } else {
        errorMessage = `Module answered HTTP ${res.status}`;
        outcome = { status: 'failed', httpStatus: res.status, response: null, executionMs: ms };
      }
    } catch (err) {
      const ms = Math.round(performance.now() - started);
      const timedOut = err instanceof ConnectionError && err.timedOut;
      errorMessage = timedOut ? `Module timed out after ${timeoutMs} ms` : 'Module unreachable';
      outcome = {
        status: timedOut ? 'timeout' : 'failed',
        httpStatus: null,
        response: null,
        executionMs: ms,
      };
    }
  }
  if (outcome.response && !outcome.response.success && outcome.response.error_message) {
    errorMessage = outcome.response.error_message;
  }
  if (errorMessage) {
    ctx.deps.logger.warn('module execution problem', {
      execution_id: meta.executionId,
      module_name: target.moduleName,
      status: outcome.status,
      response_status: outcome.httpStatus,
      error_message: errorMessage,
    });
  }
  ctx.counters.execution(
    outcome.status === 'success' || outcome.status === 'pending',
    outcome.executionMs,
    outcome.status,
  );

  const completion = ctx.db
    .updateTable('command_executions')
    .set({
      status: outcome.status,
      response_status: outcome.httpStatus,
      response_data: json(outcome.response),
      execution_time_ms: outcome.executionMs,
      retry_count: Math.max(0, attempts - 1),
      error_message: errorMessage,
      completed_at: outcome.status === 'pending' ? null : ctx.deps.clock.now(),
    })
    .where('execution_id', '=', meta.executionId)
    .execute();
  const rows = outcome.response
    ? moduleResponseRows(outcome.response, meta.executionId, meta.sessionId, target.moduleName)
    : [];
  await Promise.all([
    completion,
    rows.length ? ctx.db.insertInto('module_responses').values(rows).execute() : null,
  ]);
  return outcome;
}

/** GET rows receive the top-level scalar fields as query parameters (§2.4). */
function scalarQuery(request: Record<string, unknown>) {
  const q: Record<string, string> = {};
  for (const [k, v] of Object.entries(request)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') q[k] = String(v);
  }
  return q;
}
