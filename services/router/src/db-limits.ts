import { z } from '@waddlebot/core';

/** Postgres `integer` range: a larger number in a body or query would fail inside the database. */
export const INT4_MAX = 2_147_483_647;

export const int4 = z.number().int().min(-INT4_MAX).max(INT4_MAX);

/** A serial id or community id in a JSON body. */
export const dbId = z.number().int().positive().max(INT4_MAX);

/** The same in a query string. */
export const dbIdQuery = z.coerce.number().int().positive().max(INT4_MAX);

/** A user key is a uid (≤ 256) or `<platform>:<user_id>` with a user id of up to 256 (contracts §14). */
export const USER_KEY_MAX = 300;
export const UID_MAX = 256;
export const userKey = z.string().min(1).max(USER_KEY_MAX);

/** Clamps a number a module sent into an `integer` column. */
export const toInt4 = (n: number) => Math.max(-INT4_MAX, Math.min(INT4_MAX, Math.round(n)));
