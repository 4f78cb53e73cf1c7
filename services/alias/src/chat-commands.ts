import {
  AppError,
  ModuleFailure,
  chatResponse,
  forbidden,
  hasRole,
  skippedResponse,
  usage,
  userKeyOf,
  type HttpClient,
  type Logger,
  type ModuleErrorCode,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import { createAlias, findAlias, listAliases, removeAlias, useAlias, type AliasDeps } from './aliases.js';
import { runCommandAlias } from './redispatch.js';

export interface AliasModuleDeps extends AliasDeps {
  router: HttpClient;
  logger: Logger;
  /** alias_depth from which a command alias answers LOOP instead of re-dispatching. */
  maxDepth: number;
}

const MODULE = 'alias';
const CHAT_LIMIT = 450;
const USAGE = 'Usage: !alias <add|remove|list> … (add <name> <text or !command>, remove <name>, list)';

const FAILURE_CODES: Partial<Record<string, ModuleErrorCode>> = {
  VALIDATION_ERROR: 'VALIDATION',
  CONFLICT: 'CONFLICT',
  NOT_FOUND: 'NOT_FOUND',
};

/** Domain errors carry user-safe messages; in chat they become 200 `success:false` answers. */
async function asChatFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const code = err instanceof AppError ? FAILURE_CODES[err.code] : undefined;
    if (code) throw new ModuleFailure(code, err instanceof Error ? err.message : 'Failed');
    throw err;
  }
}

/**
 * The text after the first `count` tokens of `argsText`, as typed. Keeps inner quotes of a
 * multi-word template (`!so "big name"`), which joining the tokens would lose.
 */
export function textAfterTokens(argsText: string, count: number): string {
  let i = 0;
  const n = argsText.length;
  for (let t = 0; t < count; t++) {
    while (i < n && /\s/.test(argsText[i]!)) i++;
    while (i < n && !/\s/.test(argsText[i]!)) {
      const ch = argsText[i]!;
      if (ch === '"' || ch === '“') {
        const close = ch === '"' ? '"' : '”';
        i++;
        while (i < n && argsText[i] !== close) i += argsText[i] === '\\' && argsText[i + 1] === '"' ? 2 : 1;
      }
      i++;
    }
  }
  return argsText.slice(i).trim();
}

function clip(text: string): string {
  return text.length <= CHAT_LIMIT ? text : `${text.slice(0, CHAT_LIMIT - 1)}…`;
}

function templateFromArgs(req: ModuleRequest): string {
  const rest = req.args.slice(2);
  if (rest.length === 1) return rest[0]!;
  return textAfterTokens(req.args_text, 2) || rest.join(' ');
}

function listText(rows: { alias: string; template: string }[]): string {
  if (rows.length === 0) return 'This community has no aliases yet';
  let text = 'Aliases: ';
  for (let i = 0; i < rows.length; i++) {
    const entry = `${i > 0 ? ' | ' : ''}!${rows[i]!.alias} → ${rows[i]!.template}`;
    const more = ` (+${rows.length - i} more)`;
    if (text.length + entry.length > CHAT_LIMIT - (i < rows.length - 1 ? more.length : 0)) return text + more;
    text += entry;
  }
  return text;
}

async function manageAliases(deps: AliasModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const sub = req.args[0]?.toLowerCase();
  const community = req.community_id;
  const userKey = userKeyOf(req.user, req.platform);
  switch (sub) {
    case 'add': {
      if (!hasRole(req.user_context.role, 'moderator')) throw forbidden('add aliases');
      if (req.args.length < 3) throw usage('Usage: !alias add <name> <text or !command…>');
      const row = await asChatFailure(() =>
        createAlias(deps, {
          communityId: community,
          alias: req.args[1]!,
          template: templateFromArgs(req),
          createdBy: userKey,
          createdByName: req.user.display_name || req.user.name,
        }),
      );
      deps.logger.audit({
        action: 'alias_create',
        community,
        user: userKey,
        result: 'SUCCESS',
        alias: row.alias,
      });
      return chatResponse(req, MODULE, `Created alias !${row.alias} → ${row.template}`);
    }
    case 'remove':
    case 'rm': {
      if (!hasRole(req.user_context.role, 'moderator')) throw forbidden('remove aliases');
      if (req.args.length < 2) throw usage('Usage: !alias remove <name>');
      const row = await asChatFailure(() => removeAlias(deps, community, req.args[1]!));
      deps.logger.audit({
        action: 'alias_remove',
        community,
        user: userKey,
        result: 'SUCCESS',
        alias: row.alias,
      });
      return chatResponse(req, MODULE, `Removed alias !${row.alias}`);
    }
    case 'list':
      return chatResponse(req, MODULE, listText(await listAliases(deps, community)));
    case undefined:
    case '':
      throw usage(USAGE);
    default:
      throw usage(`Unknown subcommand '${sub.slice(0, 32)}'. ${USAGE}`);
  }
}

/** Runs alias `name` for the request's user (the fallback flow of contracts §13). */
async function runAlias(deps: AliasModuleDeps, req: ModuleRequest, name: string): Promise<ModuleResponse> {
  const row = await findAlias(deps, req.community_id, name);
  if (!row) return skippedResponse(req, MODULE, 'not_found');
  if (row.alias_type === 'command' && req.alias_depth >= deps.maxDepth) {
    throw new ModuleFailure(
      'LOOP',
      'Alias recursion limit reached',
      `alias_depth ${req.alias_depth} for !${row.alias}`,
    );
  }
  const used = await useAlias(deps, row, { id: req.user.id, name: req.user.name }, req.args);
  if (!used) return skippedResponse(req, MODULE, 'not_found');
  if (used.row.alias_type === 'text') return chatResponse(req, MODULE, clip(used.expanded));
  const relayed = await runCommandAlias(deps.router, req, used.row.alias, used.expanded, deps.clock);
  return {
    session_id: req.session_id,
    execution_id: req.execution_id,
    module_name: MODULE,
    success: true,
    ...relayed,
  };
}

export function handleAliasRequest(deps: AliasModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  if (req.trigger_type !== 'fallback' && req.command === 'alias') return manageAliases(deps, req);
  return runAlias(deps, req, req.command);
}
