import { PLATFORMS, z } from '@waddlebot/core';

export const PlatformParam = z.enum(PLATFORMS);

/** A WaddleBot user id (= uid): a positive decimal that fits auth_user.id. */
export const UserIdString = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^[1-9]\d{0,9}$/, 'must be a positive integer'))
  .refine((v) => Number(v) <= 2_147_483_647, 'out of range');

/** Platform account ids arrive as strings, sometimes as numbers. */
export const PlatformAccountId = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().min(1).max(64));

export const NoParams = z.object({});
