import {
  AppError,
  GLOBAL_COMMUNITY_ID,
  ModuleFailure,
  SEGMENT,
  chatResponse,
  forbidden,
  usage,
  z,
  type HttpClient,
  type ModuleErrorCode,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import {
  communityCounts,
  createCommunity,
  deleteCommunity,
  findCommunityById,
  findCommunityByName,
  isGlobal,
} from '../communities.js';
import type { CommunityDeps } from '../community-deps.js';
import type { CommunityRow } from '../db.js';
import { addEntity, parseCommunityEntityId, removeEntity } from '../entity-groups.js';
import { resolveUserKey } from '../identity-client.js';
import { installModule, syncCommunityModules } from '../marketplace-client.js';
import { addMember, leaveCommunity, listMembers, removeMember } from '../memberships.js';
import { createPortalLogin } from '../portal-client.js';
import { listUserCommunities } from '../user-communities.js';
import { currentContext, setContext } from '../user-context.js';
import { accessIn, mayDo, senderKey, type CommunityAccess } from './access.js';
import { parseInvocation } from './parse.js';

export interface ChatDeps extends CommunityDeps {
  moduleName: string;
  /** Unscoped database: identity's account roles for the platform-admin check (contracts §1). */
  root: Kysely<any>;
  identity: HttpClient;
  marketplace: HttpClient;
  portal: HttpClient;
}

/** Platform chat messages should stay under ~450 characters (contracts §10). */
const CHAT_LIMIT = 450;

function fit(text: string): string {
  return text.length <= CHAT_LIMIT ? text : `${text.slice(0, CHAT_LIMIT - 1)}…`;
}

const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

const HELP =
  'Community commands: !community list | create <name> | context <name> | info [name] | members | ' +
  'add entity [entity_id] | add user <user_id> | remove entity <entity_id> | remove user <user_id> | ' +
  'install <module_id> | leave | delete <name> | portal login add <email>';

const NEEDS_CONTEXT = 'Pick a community first: !community context <name>';

const FAILURE_CODES: Partial<Record<string, ModuleErrorCode>> = {
  VALIDATION_ERROR: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UPSTREAM_ERROR: 'UPSTREAM',
};

interface Invocation {
  deps: ChatDeps;
  req: ModuleRequest;
  rest: string[];
  sender: string;
}

type Handler = (inv: Invocation) => Promise<string>;

/** `POST /community`: one `!community …` message → one chat answer (core-and-admin §4.2). */
export async function handleCommunityCommand(deps: ChatDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const { action, rest } = parseInvocation(req);
  try {
    const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
    if (!handler) throw usage(`Unknown community command "${action.slice(0, 40)}". Use !community help`);
    const text = await handler({ deps, req, rest, sender: senderKey(req) });
    return chatResponse(req, deps.moduleName, fit(text));
  } catch (err) {
    // Messages may quote what the user typed: keep them within one chat message.
    if (err instanceof ModuleFailure)
      throw new ModuleFailure(err.code, fit(err.chatMessage), err.internalMessage);
    // Domain errors carry messages written for people; in chat they become a failed answer.
    if (err instanceof AppError && FAILURE_CODES[err.code])
      throw new ModuleFailure(FAILURE_CODES[err.code]!, fit(err.message));
    throw err;
  }
}

async function contextOf(inv: Invocation): Promise<CommunityAccess> {
  const community = await currentContext(inv.deps, inv.sender, inv.req.entity_id);
  if (!community) throw usage(NEEDS_CONTEXT);
  const access = await accessIn(inv.deps.db, inv.deps.root, inv.req, community);
  if (!access) throw new ModuleFailure('FORBIDDEN', `You are no longer a member of ${community.name}.`);
  return access;
}

/** Context community plus a permission check; the Global community is managed by platform admins only. */
async function contextAllowing(inv: Invocation, permission: string, action: string) {
  const access = await contextOf(inv);
  if (isGlobal(access.community.id) && !access.platformAdmin)
    throw new ModuleFailure('FORBIDDEN', 'Only platform administrators manage the Global community.');
  if (!mayDo(access, permission)) throw forbidden(action);
  return access;
}

async function communityNamed(inv: Invocation, raw: string): Promise<CommunityRow> {
  const name = raw.trim();
  const community =
    name.toLowerCase() === 'global'
      ? await findCommunityById(inv.deps.db, GLOBAL_COMMUNITY_ID)
      : await findCommunityByName(inv.deps.db, name);
  if (!community) throw new ModuleFailure('NOT_FOUND', `There is no community named "${name}".`);
  return community;
}

function platformUserIdArg(raw: string | undefined, what: string): string {
  if (!raw) throw usage(`Usage: !community ${what} <user_id>`);
  if (raw.startsWith('@')) throw usage(`Use the platform user id, not a @name: !community ${what} <user_id>`);
  if (!SEGMENT.test(raw)) throw new ModuleFailure('VALIDATION', `"${raw}" is not a valid platform user id.`);
  return raw;
}

const HANDLERS: Record<string, Handler> = {
  async help() {
    return HELP;
  },

  async list({ deps, sender }) {
    const communities = await listUserCommunities(deps.db, sender);
    const parts = communities.map((c) => {
      if (isGlobal(c.id)) return `${c.name} (${c.role})`;
      const groups = `${c.entity_group_count} channel group${c.entity_group_count === 1 ? '' : 's'}`;
      const members = `${c.member_count} member${c.member_count === 1 ? '' : 's'}`;
      const role = c.role === 'owner' ? '★ owner' : c.role;
      return `${c.name} (${role}, ${members}, ${groups})${c.description ? ` – ${c.description}` : ''}`;
    });
    return `Your communities: ${parts.join(' | ')}`;
  },

  async create({ deps, req, rest, sender }) {
    if (rest.length === 0) throw usage('Usage: !community create <name>');
    const community = await createCommunity(deps, { name: rest.join(' '), createdBy: sender });
    await setContext(deps, sender, req.entity_id, community.id);
    return `Created community ${community.name}. You are its owner, and your context is now ${community.name}.`;
  },

  async context(inv) {
    if (inv.rest.length === 0) throw usage('Usage: !community context <name>');
    const community = await communityNamed(inv, inv.rest.join(' '));
    if (!(await accessIn(inv.deps.db, inv.deps.root, inv.req, community)))
      throw new ModuleFailure('FORBIDDEN', `You are not a member of ${community.name}.`);
    await setContext(inv.deps, inv.sender, inv.req.entity_id, community.id);
    return `Switched to community ${community.name} for the next hour.`;
  },

  async info(inv) {
    let community: CommunityRow;
    if (inv.rest.length > 0) {
      community = await communityNamed(inv, inv.rest.join(' '));
      if (!(await accessIn(inv.deps.db, inv.deps.root, inv.req, community)))
        throw new ModuleFailure('FORBIDDEN', `You are not a member of ${community.name}.`);
    } else community = (await contextOf(inv)).community;
    const counts = (await communityCounts(inv.deps.db, [community.id])).get(community.id)!;
    const members = isGlobal(community.id) ? 'everyone is a member' : `${counts.member_count} members`;
    const owners = community.owners.length > 0 ? ` Owners: ${community.owners.join(', ')}.` : '';
    return (
      `${community.name}${community.description ? `: ${community.description}` : ''}. ` +
      `Created ${day(community.created_at)}; ${members}, ${counts.entity_group_count} entity groups.${owners}`
    );
  },

  async members(inv) {
    const { community } = await contextOf(inv);
    const { members, total } = await listMembers(inv.deps.db, community.id, { page: 1, perPage: 25 });
    if (total === 0)
      return isGlobal(community.id)
        ? 'Everyone is a member of the Global community.'
        : `${community.name} has no members.`;
    const list = members.map((m) => `${m.user_id} (${m.role}, joined ${day(m.joined_at)})`).join(', ');
    const more = total > members.length ? ` and ${total - members.length} more` : '';
    return `Members of ${community.name} (${total}): ${list}${more}`;
  },

  async 'add entity'(inv) {
    // Without an argument: the channel the command was typed in.
    const entityId = inv.rest[0] ?? inv.req.entity_id;
    const access = await contextAllowing(inv, 'community.add_entity', 'add entities to this community');
    parseCommunityEntityId(entityId);
    await addEntity(inv.deps, { communityId: access.community.id, entityId, createdBy: inv.sender });
    syncCommunityModules(inv.deps.marketplace, inv.deps.logger, access.community.id);
    return `Added ${entityId} to ${access.community.name}.`;
  },

  async 'remove entity'(inv) {
    const entityId = inv.rest[0];
    if (!entityId) throw usage('Usage: !community remove entity <entity_id>');
    const { community } = await contextAllowing(
      inv,
      'community.add_entity',
      'remove entities from this community',
    );
    await removeEntity(inv.deps, { communityId: community.id, entityId, removedBy: inv.sender });
    return `Removed ${entityId} from ${community.name}; it belongs to the Global community again.`;
  },

  async 'add user'(inv) {
    const userId = platformUserIdArg(inv.rest[0], 'add user');
    const { community } = await contextAllowing(inv, 'community.add_user', 'add users to this community');
    const resolved = await resolveUserKey(inv.deps.identity, inv.deps.logger, {
      platform: inv.req.platform,
      platformUserId: userId,
    });
    await addMember(inv.deps, {
      communityId: community.id,
      userKey: resolved.userKey,
      invitedBy: inv.sender,
    });
    const note = resolved.viaIdentity
      ? ''
      : ` (The identity service is not available yet, so the membership is kept under ${resolved.userKey}.)`;
    return `Added ${userId} to ${community.name} as a member.${note}`;
  },

  async 'remove user'(inv) {
    const userId = platformUserIdArg(inv.rest[0], 'remove user');
    const access = await contextAllowing(inv, 'community.remove_user', 'remove users from this community');
    const resolved = await resolveUserKey(inv.deps.identity, inv.deps.logger, {
      platform: inv.req.platform,
      platformUserId: userId,
    });
    await removeMember(inv.deps, {
      communityId: access.community.id,
      userKey: resolved.userKey,
      actor: inv.sender,
      actorRole: access.platformAdmin ? 'owner' : access.role,
    });
    return `Removed ${userId} from ${access.community.name}.`;
  },

  async install(inv) {
    const moduleId = inv.rest[0];
    if (!moduleId) throw usage('Usage: !community install <module_id> [version]');
    const { community } = await contextAllowing(inv, 'community.install_modules', 'install modules here');
    const outcome = await installModule(inv.deps.marketplace, inv.deps.logger, {
      communityId: community.id,
      moduleId,
      userKey: inv.sender,
      version: inv.rest[1],
    });
    if (outcome.kind === 'unavailable')
      throw new ModuleFailure(
        'NOT_CONNECTED',
        'Module installation is not available yet: the marketplace is not running.',
      );
    if (outcome.kind === 'refused') throw new ModuleFailure('UPSTREAM', outcome.message);
    const version = outcome.version ? ` v${outcome.version}` : '';
    return `Installed ${moduleId}${version} in ${community.name}.${outcome.warning ? ` ${outcome.warning}` : ''}`;
  },

  async leave(inv) {
    const { community } = await contextOf(inv);
    await leaveCommunity(inv.deps, community.id, inv.sender);
    return `You left ${community.name}.`;
  },

  async delete(inv) {
    const access = await contextOf(inv);
    const { community } = access;
    if (isGlobal(community.id))
      throw new ModuleFailure('FORBIDDEN', 'The Global community cannot be deleted.');
    if (!mayDo(access, 'community.delete')) throw forbidden('delete this community');
    // Typing the name again guards against deleting the wrong context by accident.
    if (inv.rest.join(' ').trim().toLowerCase() !== community.name.toLowerCase())
      throw usage(
        `To delete ${community.name} and everything in it, type: !community delete ${community.name}`,
      );
    await deleteCommunity(inv.deps, community.id, inv.sender);
    return `Deleted community ${community.name}; its channels belong to the Global community again.`;
  },

  async 'portal login add'(inv) {
    const email = inv.rest[0];
    if (!email) throw usage('Usage: !community portal login add <email>');
    const access = await contextOf(inv);
    if (!access.platformAdmin && access.role !== 'owner')
      throw forbidden('add portal logins for this community');
    if (!z.email().safeParse(email).success || email.length > 254)
      throw new ModuleFailure('VALIDATION', 'That is not a valid e-mail address.');
    const outcome = await createPortalLogin(inv.deps.portal, inv.deps.logger, {
      platform: inv.req.platform,
      platformUserId: inv.req.user.id,
      platformUsername: inv.req.user.name,
      email,
      displayName: inv.req.user.display_name,
    });
    const answers: Record<typeof outcome, string | ModuleFailure> = {
      email_sent: 'Portal login created: check your e-mail for a temporary password (valid for 24 hours).',
      email_failed: new ModuleFailure('UPSTREAM', 'Could not send the e-mail, try again later.'),
      already_exists: new ModuleFailure('CONFLICT', 'You already have a portal login.'),
      refused: new ModuleFailure('VALIDATION', 'The portal refused that e-mail address.'),
      unavailable: new ModuleFailure(
        'NOT_CONNECTED',
        'Portal logins are not available yet: the portal is not running.',
      ),
    };
    const answer = answers[outcome];
    if (answer instanceof ModuleFailure) throw answer;
    return answer;
  },
};
