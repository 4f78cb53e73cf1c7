import {
  AppError,
  ModuleFailure,
  PLATFORMS,
  chatResponse,
  usage,
  type ModuleErrorCode,
  type ModuleRequest,
  type ModuleResponse,
  type Platform,
} from '@waddlebot/core';
import type { IdentityDeps } from './identity-deps.js';
import { pendingVerifications, platformLabel, startLink, unlinkPlatform, verifyLink } from './linking.js';
import { activeUser, identitiesOf, resolveAccount, uidOf } from './users.js';

const MODULE = 'identity';
const IDENTITY_USAGE =
  'Usage: !identity link <platform> <username> | !identity unlink <platform> | !identity status';

const isPlatform = (p: string | undefined): p is Platform => PLATFORMS.includes(p as Platform);

/** The platform a chat user typed (any case), or a VALIDATION failure naming the known ones. */
function chatPlatform(typed: string): Platform {
  const platform = typed.toLowerCase();
  if (!isPlatform(platform))
    throw new ModuleFailure('VALIDATION', `Unknown platform "${typed}". Use twitch, discord or slack.`);
  return platform;
}

const FAILURE_CODES: Partial<Record<string, ModuleErrorCode>> = {
  VALIDATION_ERROR: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'COOLDOWN',
  FORBIDDEN: 'FORBIDDEN',
};

/** REST errors of the shared domain functions become chat answers (contracts §10). */
async function asChat<T>(run: () => Promise<T>, messages: Partial<Record<string, string>> = {}): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AppError && FAILURE_CODES[err.code])
      throw new ModuleFailure(FAILURE_CODES[err.code]!, messages[err.code] ?? err.message);
    throw err;
  }
}

/** The sender's WaddleBot user: created on first sight if the router could not resolve it (§3.2 step 1). */
async function senderUserId(deps: IdentityDeps, req: ModuleRequest): Promise<number> {
  if (!isPlatform(req.platform))
    throw new ModuleFailure('VALIDATION', 'Identity linking is not available here.');
  const { userId } = await resolveAccount(deps, {
    platform: req.platform,
    platformId: req.user.id,
    userName: req.user.name,
  });
  return userId;
}

async function identityCommand(deps: IdentityDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const [sub = '', ...rest] = req.args;
  switch (sub.toLowerCase()) {
    case 'link': {
      const [platform, username] = rest;
      if (!platform || !username) throw usage('Usage: !identity link <twitch|discord|slack> <username>');
      const target = chatPlatform(platform);
      const userId = await senderUserId(deps, req);
      const source = { platform: req.platform as Platform, username: req.user.name };
      const result = await asChat(() =>
        startLink(deps, { userId, source, targetPlatform: target, targetUsername: username }),
      );
      return chatResponse(
        req,
        MODULE,
        `A verification code was sent to ${username.replace(/^@/, '')} on ${platformLabel(target)}. ` +
          `Type !verify <code> there within ${result.expires_in_minutes} minutes.`,
      );
    }
    case 'unlink': {
      const [platform] = rest;
      if (!platform) throw usage('Usage: !identity unlink <twitch|discord|slack>');
      const target = chatPlatform(platform);
      const userId = await senderUserId(deps, req);
      await asChat(() => unlinkPlatform(deps, userId, target), {
        NOT_FOUND: `You have no linked ${platformLabel(target)} account.`,
        CONFLICT: 'You cannot unlink your last linked account.',
      });
      return chatResponse(req, MODULE, `Your ${platformLabel(target)} account was unlinked.`);
    }
    case 'status': {
      const userId = await senderUserId(deps, req);
      const identities = await identitiesOf(deps.db, userId);
      const pending = await pendingVerifications(deps, userId);
      const linked = identities
        .map((i) => `${platformLabel(i.platform)} (${i.platform_username})`)
        .join(', ');
      const waiting = pending
        .map((p) => `${platformLabel(p.target_platform)} (${p.target_username})`)
        .join(', ');
      return chatResponse(
        req,
        MODULE,
        `Linked: ${linked || 'none'}. Pending verification: ${waiting || 'none'}.`,
      );
    }
    default:
      throw usage(IDENTITY_USAGE);
  }
}

async function verifyCommand(deps: IdentityDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const [code] = req.args;
  if (!code) throw usage('Usage: !verify <code>');
  if (!isPlatform(req.platform))
    throw new ModuleFailure('VALIDATION', 'Identity linking is not available here.');
  const platform = req.platform;
  const result = await asChat(
    () => verifyLink(deps, { platform, platformId: req.user.id, platformUsername: req.user.name, code }),
    {
      VALIDATION_ERROR: 'That code is invalid or expired.',
      CONFLICT: 'This account is already linked to another WaddleBot user; unlink it there first.',
    },
  );
  return chatResponse(
    req,
    MODULE,
    `Verified! Your ${platformLabel(platform)} account is now linked to WaddleBot user ${result.user_id}.`,
  );
}

async function whoamiCommand(deps: IdentityDeps, req: ModuleRequest): Promise<ModuleResponse> {
  if (!isPlatform(req.platform)) throw new ModuleFailure('VALIDATION', 'Identity is not available here.');
  const userId = await senderUserId(deps, req);
  const user = await activeUser(deps.db, userId);
  const identities = await identitiesOf(deps.db, userId);
  if (!user || identities.length <= 1)
    return chatResponse(
      req,
      MODULE,
      `WaddleBot user ${uidOf(userId)}: not linked yet. Use !identity link <platform> <username> to link another account.`,
    );
  const name = user.display_name || user.username;
  const linked = identities.map((i) => `${platformLabel(i.platform)} (${i.platform_username})`).join(', ');
  return chatResponse(req, MODULE, `WaddleBot user ${uidOf(userId)} (${name}). Linked: ${linked}.`);
}

/** `POST /router/command` (§3.5): `!identity`, `!verify`, `!whoami`. */
export async function handleIdentityCommand(deps: IdentityDeps, req: ModuleRequest): Promise<ModuleResponse> {
  switch (req.command) {
    case 'identity':
      return identityCommand(deps, req);
    case 'verify':
      return verifyCommand(deps, req);
    case 'whoami':
      return whoamiCommand(deps, req);
    default:
      throw usage(IDENTITY_USAGE);
  }
}
