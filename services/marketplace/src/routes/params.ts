import { z } from '@waddlebot/core';
import type { MiddlewareHandler } from 'hono';

/** Community ids arrive as numbers or decimal strings (contracts §3). */
export const CommunityIdBody = z.union([
  z.number().int().positive().max(2_147_483_647),
  z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'must be a positive integer')
    .transform(Number),
]);

export const CommunityIdParam = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'must be a decimal community id')
  .transform(Number);

export const ModuleIdParam = z.string().regex(/^[a-z0-9_-]{1,100}$/, 'must be a module id');

export const UserKey = z.string().trim().min(1).max(256);

/** Public catalogue pages need no credential (contracts §6). */
export const publicAccess: MiddlewareHandler = async function publicAccess(_c, next) {
  await next();
};
