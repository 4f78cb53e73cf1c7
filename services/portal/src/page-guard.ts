import type { Context } from 'hono';
import { renderMessagePage } from './page-layout.js';
import type { PortalDeps } from './portal-deps.js';
import { CSRF_FIELD, csrfValid, readSession, type PortalSession } from './session.js';

/**
 * The logged-in user of a page request, or the redirect to send instead: to the login page
 * without a session, to the change-password form while a temporary password is in use (§7.2).
 */
export async function requireUser(
  c: Context,
  deps: PortalDeps,
  opts: { allowPendingPasswordChange?: boolean } = {},
): Promise<PortalSession | Response> {
  const session = await readSession(c, deps);
  if (!session) return c.redirect('/auth/login', 302);
  if (session.mustChangePassword && !opts.allowPendingPasswordChange)
    return c.redirect('/auth/change-password', 302);
  return session;
}

/** Parsed form fields of a POST, or a 403 page when the CSRF token is missing or wrong. */
export async function readForm(
  c: Context,
  deps: PortalDeps,
  session?: PortalSession | null,
): Promise<Record<string, string> | Response> {
  let parsed: Record<string, unknown>;
  try {
    parsed = await c.req.parseBody();
  } catch {
    parsed = {};
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') fields[k] = v;
  if (!csrfValid(c, fields[CSRF_FIELD])) {
    deps.logger.authz({
      action: 'csrf_check',
      user: session?.userId ?? null,
      result: 'DENIED',
      route: c.req.path,
    });
    return renderMessagePage(
      c,
      deps,
      403,
      'Form expired',
      'This form could not be verified (missing or invalid CSRF token). Reload the page and try again.',
      session,
    );
  }
  return fields;
}
