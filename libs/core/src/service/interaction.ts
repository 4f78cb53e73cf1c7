import type { Context } from 'hono';
import type { AuthContext } from '../auth/types.js';
import { readJson, type App } from '../http/app.js';
import { ModuleRequestSchema, type ModuleRequest, type ModuleResponse } from '../contracts/messages.js';
import { failureResponse, ModuleFailure } from '../contracts/module-response.js';
import { isRole, type Role } from '../contracts/roles.js';
import type { ServiceDeps } from './define.js';

export interface InteractionOptions {
  /** `/interaction` plus the module's legacy path (interaction-modules §1.1). */
  paths: string[];
  handle: (req: ModuleRequest, c: Context) => Promise<ModuleResponse>;
}

/**
 * The router-facing command endpoint (contracts §9/§10): service key, ModuleRequest validation
 * (400 on a malformed body), user-level failures as 200 `success:false`, timing filled in.
 */
export function mountInteraction(
  app: App,
  deps: Pick<ServiceDeps, 'auth' | 'name' | 'logger'>,
  opts: InteractionOptions,
) {
  for (const path of opts.paths) {
    app.post(path, deps.auth.require('service'), async (c) => {
      const started = performance.now();
      const req = await readJson(c, ModuleRequestSchema);
      let res: ModuleResponse;
      try {
        res = await opts.handle(req, c);
      } catch (err) {
        if (!(err instanceof ModuleFailure)) throw err;
        res = failureResponse(req, deps.name, err.code, err.chatMessage, err.internalMessage);
        if (err.internalMessage)
          deps.logger.warn('module failure', { code: err.code, error_message: err.internalMessage });
      }
      const body = {
        session_id: req.session_id,
        execution_id: req.execution_id,
        module_name: deps.name,
        ...res,
        processing_time_ms: res.processing_time_ms ?? Math.round(performance.now() - started),
      };
      return c.json(body, 200);
    });
  }
}

export interface ActingUser {
  /** The user key (contracts §14) named by the trusted caller. */
  id: string | null;
  name: string | null;
  role: Role;
  labels: string[];
}

/** REST acting user from `X-WaddleBot-User-*` headers, trusted only behind a valid service key. */
export function actingUser(c: Context): ActingUser {
  const role = c.req.header('X-WaddleBot-User-Role');
  return {
    id: c.req.header('X-WaddleBot-User-Id') || null,
    name: c.req.header('X-WaddleBot-User-Name') || null,
    role: isRole(role) ? role : 'member',
    labels: (c.req.header('X-WaddleBot-User-Labels') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}

/**
 * The user key a `svc|jwt` REST call acts for (core-and-admin §0.3): a JWT's user, whatever the
 * body says; for a trusted service-key caller, the user it names in the body (`namedInBody`),
 * else in `X-WaddleBot-User-Id`. Null when the service names nobody.
 */
export function actingUserKey(c: Context, namedInBody?: string | null): string | null {
  const auth = c.get('auth') as AuthContext;
  if (auth.kind !== 'service') return auth.user_id;
  return namedInBody?.trim() || actingUser(c).id?.trim() || null;
}
