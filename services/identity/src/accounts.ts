import {
  AppError,
  AuthRequiredError,
  ConflictError,
  NotFoundError,
  ValidationError,
  isUniqueViolation,
  signJwt,
  type Platform,
} from '@waddlebot/core';
import { sql } from 'kysely';
import type { IdentityDeps } from './identity-deps.js';
import { generateTempPassword, hashPassword, verifyPassword } from './passwords.js';
import { accountRoles, activeUser, identitiesOf, insertUser, resolveAccount, uidOf } from './users.js';

/** 401 for every failed login, whatever the reason, so the answer reveals nothing about accounts. */
class BadCredentialsError extends AppError {
  constructor() {
    super('AUTH_REQUIRED', 'Invalid credentials');
  }
}

export interface RegisterInput {
  username: string;
  email: string;
  password: string;
  first_name?: string;
  last_name?: string;
  display_name?: string;
}

export async function registerUser(deps: IdentityDeps, input: RegisterInput): Promise<{ user_id: string }> {
  const username = input.username.trim();
  const email = input.email.trim();
  const taken = await deps.db
    .selectFrom('auth_user')
    .select(['username', 'email'])
    .where((eb) =>
      eb.or([
        eb(sql`lower(username)`, '=', username.toLowerCase()),
        eb(sql`lower(email)`, '=', email.toLowerCase()),
      ]),
    )
    .execute();
  if (taken.some((t) => t.username.toLowerCase() === username.toLowerCase()))
    throw new ConflictError('Username is already taken');
  if (taken.length > 0) throw new ConflictError('E-mail address is already registered');
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  try {
    const id = await deps.db.transaction().execute((trx) =>
      insertUser(
        trx,
        {
          username,
          email,
          password_hash: passwordHash,
          first_name: input.first_name ?? null,
          last_name: input.last_name ?? null,
          display_name: input.display_name ?? username,
          primary_platform: null,
        },
        now,
      ),
    );
    deps.logger.audit({ action: 'user_register', user: uidOf(id), result: 'SUCCESS' });
    return { user_id: uidOf(id) };
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('Username or e-mail address is already taken');
    throw err;
  }
}

export interface IssuedToken {
  token: string;
  expires_at: string;
}

export async function issueToken(
  deps: Pick<IdentityDeps, 'db' | 'clock' | 'config'>,
  user: { id: number; username: string; email: string | null },
): Promise<IssuedToken> {
  const secret = deps.config.SECRET_KEY;
  if (!secret) throw new AppError('SERVICE_UNAVAILABLE', 'Login is not configured: set SECRET_KEY');
  const now = deps.clock.now();
  const ttl = deps.config.JWT_EXPIRES_SECONDS;
  const token = signJwt(
    {
      sub: uidOf(user.id),
      username: user.username,
      email: user.email,
      roles: await accountRoles(deps.db, user.id),
    },
    secret,
    { now, expiresInSeconds: ttl },
  );
  return { token, expires_at: new Date(Math.floor(now.getTime() / 1000) * 1000 + ttl * 1000).toISOString() };
}

export async function login(
  deps: IdentityDeps,
  input: { login: string; password: string },
): Promise<{
  user_id: string;
  username: string;
  token: string;
  expires_at: string;
  must_change_password: boolean;
}> {
  const key = input.login.trim().toLowerCase();
  const user = await deps.db
    .selectFrom('auth_user')
    .selectAll()
    .where((eb) => eb.or([eb(sql`lower(username)`, '=', key), eb(sql`lower(email)`, '=', key)]))
    .orderBy('id')
    .executeTakeFirst();
  const now = deps.clock.now();
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? null);
  const tempExpired =
    !!user?.must_change_password &&
    !!user.temp_password_expires_at &&
    new Date(user.temp_password_expires_at).getTime() <= now.getTime();
  if (!user || !passwordOk || !user.is_active || tempExpired) {
    deps.logger.auth({
      action: 'login',
      user: user ? uidOf(user.id) : null,
      result: 'FAILURE',
      reason:
        !user || !passwordOk ? 'bad_credentials' : !user.is_active ? 'inactive' : 'temp_password_expired',
    });
    throw new BadCredentialsError();
  }
  await deps.db
    .updateTable('auth_user')
    .set({ last_login_at: now, login_count: sql`login_count + 1` })
    .where('id', '=', user.id)
    .execute();
  const issued = await issueToken(deps, user);
  deps.logger.auth({ action: 'login', user: uidOf(user.id), result: 'SUCCESS' });
  return {
    user_id: uidOf(user.id),
    username: user.username,
    ...issued,
    must_change_password: user.must_change_password,
  };
}

/** The JWT's user, still active; a token of a merged or disabled account no longer acts. */
export async function jwtUser(deps: Pick<IdentityDeps, 'db'>, userId: string | null) {
  const id = userId && /^\d+$/.test(userId) ? Number(userId) : NaN;
  const user = await activeUser(deps.db, id);
  if (!user) throw new AuthRequiredError('Account is not active');
  return user;
}

export async function profileOf(deps: Pick<IdentityDeps, 'db'>, userId: number) {
  const user = await activeUser(deps.db, userId);
  if (!user) throw new NotFoundError('User not found');
  const identities = await identitiesOf(deps.db, userId);
  return {
    user_id: uidOf(user.id),
    username: user.username,
    email: user.email,
    display_name: user.display_name,
    first_name: user.first_name,
    last_name: user.last_name,
    primary_platform: user.primary_platform,
    platforms: identities.map((i) => i.platform),
    identities,
    must_change_password: user.must_change_password,
    created_at: new Date(user.created_at).toISOString(),
  };
}

export interface ProfileUpdate {
  first_name?: string | null;
  last_name?: string | null;
  display_name?: string | null;
  primary_platform?: Platform;
}

export async function updateProfile(
  deps: IdentityDeps,
  userId: number,
  update: ProfileUpdate,
): Promise<{ updated: string[] }> {
  const fields = (['first_name', 'last_name', 'display_name', 'primary_platform'] as const).filter(
    (f) => update[f] !== undefined,
  );
  if (fields.length === 0)
    throw new ValidationError('Nothing to update', [
      { path: '', message: 'give first_name, last_name, display_name or primary_platform' },
    ]);
  if (update.primary_platform) {
    const linked = (await identitiesOf(deps.db, userId)).some((i) => i.platform === update.primary_platform);
    if (!linked)
      throw new ValidationError('primary_platform must be a linked platform', [
        { path: 'primary_platform', message: 'not linked' },
      ]);
  }
  const set: Record<string, unknown> = { updated_at: deps.clock.now() };
  for (const f of fields) set[f] = update[f];
  await deps.db.updateTable('auth_user').set(set).where('id', '=', userId).execute();
  deps.logger.audit({ action: 'profile_update', user: uidOf(userId), result: 'SUCCESS', fields });
  return { updated: [...fields] };
}

export async function changePassword(
  deps: IdentityDeps,
  userId: number,
  input: { current_password: string; new_password: string },
): Promise<{ changed: true }> {
  const user = await activeUser(deps.db, userId);
  const now = deps.clock.now();
  const tempExpired =
    !!user?.must_change_password &&
    !!user.temp_password_expires_at &&
    new Date(user.temp_password_expires_at).getTime() <= now.getTime();
  if (!user || tempExpired || !(await verifyPassword(input.current_password, user.password_hash))) {
    deps.logger.auth({ action: 'change_password', user: uidOf(userId), result: 'FAILURE' });
    throw new BadCredentialsError();
  }
  await deps.db
    .updateTable('auth_user')
    .set({
      password_hash: await hashPassword(input.new_password),
      must_change_password: false,
      temp_password_expires_at: null,
      updated_at: now,
    })
    .where('id', '=', userId)
    .execute();
  deps.logger.audit({ action: 'change_password', user: uidOf(userId), result: 'SUCCESS' });
  return { changed: true };
}

export type TempPasswordTarget =
  | { kind: 'account'; platform: Platform; platformId: string; platformUsername: string }
  | { kind: 'user'; userId: number };

/**
 * Portal onboarding (core-and-admin §7.4): a 16-character password valid for
 * `TEMP_PASSWORD_TTL_HOURS`, shown once in the answer; re-issuing replaces an unused one.
 */
export async function issueTempPassword(
  deps: IdentityDeps,
  target: TempPasswordTarget,
  email: string,
  displayName?: string,
): Promise<{ user_id: string; temp_password: string; expires_at: string }> {
  let userId: number;
  if (target.kind === 'user') {
    const user = await activeUser(deps.db, target.userId);
    if (!user) throw new NotFoundError('User not found');
    userId = user.id;
  } else {
    userId = (
      await resolveAccount(deps, {
        platform: target.platform,
        platformId: target.platformId,
        userName: target.platformUsername,
      })
    ).userId;
  }
  const password = generateTempPassword();
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.config.TEMP_PASSWORD_TTL_HOURS * 3_600_000);
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('auth_user')
      .select(['id', 'password_hash', 'must_change_password'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (user.password_hash && !user.must_change_password) return 'has_password' as const;
    const other = await trx
      .selectFrom('auth_user')
      .select('id')
      .where(sql`lower(email)`, '=', email.trim().toLowerCase())
      .where('id', '!=', userId)
      .executeTakeFirst();
    if (other) return 'email_taken' as const;
    await trx
      .updateTable('auth_user')
      .set({
        email: email.trim(),
        // The name the community owner gave when onboarding (§7.3 `display_name`); absent keeps the current one.
        ...(displayName ? { display_name: displayName } : {}),
        password_hash: passwordHash,
        must_change_password: true,
        temp_password_expires_at: expiresAt,
        updated_at: now,
      })
      .where('id', '=', userId)
      .execute();
    return 'issued' as const;
  });
  if (outcome === 'has_password') throw new ConflictError('This account already has a password');
  if (outcome === 'email_taken') throw new ConflictError('E-mail address is used by another account');
  deps.logger.audit({ action: 'temp_password_issue', user: uidOf(userId), result: 'SUCCESS' });
  return { user_id: uidOf(userId), temp_password: password, expires_at: expiresAt.toISOString() };
}

/** Hourly job (§7.4 step 5): expired temporary passwords stop existing, not just stop working. */
export async function clearExpiredTempPasswords(deps: Pick<IdentityDeps, 'db' | 'clock'>): Promise<number> {
  const res = await deps.db
    .updateTable('auth_user')
    .set({ password_hash: null, temp_password_expires_at: null })
    .where('must_change_password', '=', true)
    .where('temp_password_expires_at', '<=', deps.clock.now())
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}
