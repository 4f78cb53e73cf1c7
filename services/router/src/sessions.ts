import type { RouterContext } from './router-deps.js';

export interface Session {
  entity_id: string;
  user_id: string;
  platform: string;
  created_at: string;
  last_activity: string;
  request_count: number;
}

const key = (ctx: RouterContext, id: string) => ctx.config.ROUTER_SESSION_PREFIX + id;

/** §3.12: one session per accepted event, in shared state with ROUTER_SESSION_TTL. */
export async function createSession(
  ctx: RouterContext,
  input: { entity_id: string; user_id: string; platform: string },
): Promise<string> {
  const id = ctx.deps.ids.uuid();
  const now = ctx.deps.clock.now().toISOString();
  const session: Session = { ...input, created_at: now, last_activity: now, request_count: 0 };
  await ctx.deps.state.kv.set(key(ctx, id), JSON.stringify(session), ctx.config.ROUTER_SESSION_TTL);
  return id;
}

export async function getSession(ctx: RouterContext, id: string): Promise<Session | null> {
  const raw = await ctx.deps.state.kv.get(key(ctx, id));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

/** `/router/responses` touches the session: activity, count, TTL renewed. */
export async function touchSession(ctx: RouterContext, id: string, session: Session) {
  const next: Session = {
    ...session,
    last_activity: ctx.deps.clock.now().toISOString(),
    request_count: session.request_count + 1,
  };
  await ctx.deps.state.kv.set(key(ctx, id), JSON.stringify(next), ctx.config.ROUTER_SESSION_TTL);
}
