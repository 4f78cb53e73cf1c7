import { randomBytes } from 'node:crypto';
import { secretsEqual, verifyJwt } from '@waddlebot/core';
import type { Context } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie';
import type { PortalDeps } from './portal-deps.js';

export const SESSION_COOKIE = 'wb_session';
export const CSRF_COOKIE = 'wb_csrf';
export const FLASH_COOKIE = 'wb_flash';
export const CSRF_FIELD = 'csrf_token';

/** The logged-in person, as the portal knows them from the signed session cookie. */
export interface PortalSession {
  userId: string;
  username: string;
  roles: string[];
  /** Identity JWT, sent as Bearer on the user's own calls (profile, identities, API keys). */
  token: string;
  /** Set after a temporary-password login: every page but the change form is closed. */
  mustChangePassword: boolean;
}

interface SessionPayload {
  t: string;
  m: boolean;
  /** Issued at (ms): the session ends after SESSION_TTL even if the JWT lives longer. */
  i: number;
}

type SessionDeps = Pick<PortalDeps, 'secretKey' | 'sessionTtlSeconds' | 'secureCookies' | 'clock'>;

function cookieBase(deps: SessionDeps) {
  return { httpOnly: true, sameSite: 'Lax' as const, path: '/', secure: deps.secureCookies };
}

export async function startSession(
  c: Context,
  deps: SessionDeps,
  token: string,
  mustChangePassword: boolean,
): Promise<void> {
  const payload: SessionPayload = { t: token, m: mustChangePassword, i: deps.clock.nowMs() };
  const value = Buffer.from(JSON.stringify(payload)).toString('base64url');
  await setSignedCookie(c, SESSION_COOKIE, value, deps.secretKey, {
    ...cookieBase(deps),
    maxAge: deps.sessionTtlSeconds,
  });
}

export function endSession(c: Context, deps: SessionDeps): void {
  deleteCookie(c, SESSION_COOKIE, cookieBase(deps));
}

/** The session of this request, or null when absent, tampered with, expired or its JWT is invalid. */
export async function readSession(c: Context, deps: SessionDeps): Promise<PortalSession | null> {
  let value: string | false | undefined;
  try {
    value = await getSignedCookie(c, deps.secretKey, SESSION_COOKIE);
  } catch {
    return null;
  }
  if (!value) return null;
  let payload: SessionPayload;
  try {
    payload = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as SessionPayload;
  } catch {
    return null;
  }
  if (typeof payload?.t !== 'string' || typeof payload.i !== 'number') return null;
  const now = deps.clock.now();
  if (now.getTime() - payload.i > deps.sessionTtlSeconds * 1000) return null;
  const claims = verifyJwt(payload.t, deps.secretKey, now);
  if (!claims) return null;
  return {
    userId: claims.sub,
    username: claims.username,
    roles: Array.isArray(claims.roles) ? claims.roles : [],
    token: payload.t,
    mustChangePassword: payload.m === true,
  };
}

/**
 * Double-submit CSRF token: a random value in an httpOnly cookie, repeated in every form. A
 * cross-site page can make the browser send the cookie but cannot read it to fill the field.
 */
export function csrfToken(c: Context, deps: SessionDeps): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const fresh = randomBytes(32).toString('base64url');
  setCookie(c, CSRF_COOKIE, fresh, { ...cookieBase(deps), maxAge: 7 * 86_400 });
  return fresh;
}

export function csrfValid(c: Context, submitted: unknown): boolean {
  const cookie = getCookie(c, CSRF_COOKIE);
  return typeof submitted === 'string' && !!cookie && submitted.length > 0 && secretsEqual(cookie, submitted);
}

export type FlashKind = 'info' | 'error';

/** One-shot message shown on the next page (after a redirect). */
export async function setFlash(c: Context, deps: SessionDeps, kind: FlashKind, text: string): Promise<void> {
  const value = Buffer.from(JSON.stringify({ k: kind, x: text.slice(0, 500) })).toString('base64url');
  await setSignedCookie(c, FLASH_COOKIE, value, deps.secretKey, { ...cookieBase(deps), maxAge: 300 });
}

export async function takeFlash(
  c: Context,
  deps: SessionDeps,
): Promise<{ kind: FlashKind; text: string } | null> {
  let value: string | false | undefined;
  try {
    value = await getSignedCookie(c, deps.secretKey, FLASH_COOKIE);
  } catch {
    value = undefined;
  }
  if (getCookie(c, FLASH_COOKIE) !== undefined) deleteCookie(c, FLASH_COOKIE, cookieBase(deps));
  if (!value) return null;
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as {
      k: FlashKind;
      x: string;
    };
    return { kind: parsed.k === 'error' ? 'error' : 'info', text: String(parsed.x) };
  } catch {
    return null;
  }
}
