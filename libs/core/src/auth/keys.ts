import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two secrets of any length (compares their SHA-256 digests). */
export function secretsEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** `wbot_` + 43 url-safe characters (32 random bytes); `wbot_user_` for identity's user keys. */
export function generateApiKey(prefix: 'wbot_' | 'wbot_user_' = 'wbot_'): string {
  return prefix + randomBytes(32).toString('base64url');
}

export const API_KEY_PATTERN = /^wbot_[A-Za-z0-9_-]{43}$/;
export const USER_KEY_PATTERN = /^wbot_user_[A-Za-z0-9_-]{43}$/;
