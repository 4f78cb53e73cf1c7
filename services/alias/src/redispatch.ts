import {
  ConnectionError,
  ModuleFailure,
  RouterResultSchema,
  type ActionFields,
  type Clock,
  type HttpClient,
  type ModuleRequest,
  type ModuleResponse,
  type RouterEventInput,
} from '@waddlebot/core';

/** Below the fallback row's 40 s timeout, so the router still gets our answer (contracts §13). */
export const REDISPATCH_TIMEOUT_MS = 35_000;
const MAX_MESSAGE_CHARS = 5000;

/**
 * The RouterEvent for a command alias: the same user with the same platform role as the request,
 * so the router evaluates permissions again and an alias never raises them (contracts §13.3).
 */
export function aliasRouterEvent(req: ModuleRequest, expansion: string, clock: Clock): RouterEventInput {
  const metadata: Record<string, unknown> = { ...req.metadata };
  delete metadata.platform_role;
  if (req.user_context.platform_role) metadata.platform_role = req.user_context.platform_role;
  return {
    platform: req.platform,
    server_id: req.server_id,
    channel_id: req.channel_id,
    user_id: req.user.id,
    user_name: req.user.name,
    ...(req.user.display_name ? { display_name: req.user.display_name } : {}),
    message_type: 'chatMessage',
    message_content: expansion,
    event_id: `alias:${req.execution_id}`,
    timestamp: clock.now().toISOString(),
    metadata,
    alias_depth: req.alias_depth + 1,
  };
}

/**
 * Re-dispatches the expansion to the router and relays the chat replies of its RouterResult:
 * the first as `chat_message`, the rest as `additional_responses`, none → `response_action:null`.
 */
export async function runCommandAlias(
  router: HttpClient,
  req: ModuleRequest,
  aliasName: string,
  expansion: string,
  clock: Clock,
): Promise<Partial<ModuleResponse>> {
  if (expansion.length > MAX_MESSAGE_CHARS) {
    throw new ModuleFailure(
      'VALIDATION',
      `!${aliasName} expands to more than ${MAX_MESSAGE_CHARS} characters`,
    );
  }
  let res;
  try {
    // One retry, only where the router cannot have run it (a dropped connection, as when a
    // keep-alive socket closes under us, or 502/503/429); never after a timeout, which would
    // overrun the row's 40 s. Should the first attempt have run after all, the router's dedup on
    // event_id answers the retry as a duplicate instead of running the command twice.
    res = await router.post('/router/events', aliasRouterEvent(req, expansion, clock), {
      timeoutMs: REDISPATCH_TIMEOUT_MS,
      retries: 1,
    });
  } catch (err) {
    const reason = err instanceof ConnectionError && err.timedOut ? 'router timed out' : 'router unreachable';
    throw new ModuleFailure(
      'UPSTREAM',
      `!${aliasName} could not run right now, please try again later`,
      reason,
    );
  }
  const errorCode = (res.body as { error?: { code?: string } } | null)?.error?.code;
  if (res.status === 400 && errorCode === 'LOOP_DETECTED') {
    throw new ModuleFailure('LOOP', 'Alias recursion limit reached');
  }
  const parsed = RouterResultSchema.safeParse(res.body);
  if (!res.ok || !parsed.success) {
    throw new ModuleFailure(
      'UPSTREAM',
      `!${aliasName} could not run right now, please try again later`,
      `router answered ${res.status}${errorCode ? ` ${errorCode}` : ''}`,
    );
  }
  const chats = parsed.data.replies.flatMap((r) => (r.type === 'chat' ? [r.text] : []));
  const response_data = { alias: aliasName, expanded: expansion, outcome: parsed.data.outcome };
  if (chats.length === 0) return { success: true, response_action: null, response_data };
  const [first, ...rest] = chats;
  const additional: ActionFields[] = rest.map((text) => ({ response_action: 'chat', chat_message: text }));
  return {
    success: true,
    response_action: 'chat',
    chat_message: first,
    ...(additional.length > 0 ? { additional_responses: additional } : {}),
    response_data,
  };
}
