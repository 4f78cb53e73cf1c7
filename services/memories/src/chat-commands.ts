import {
  ModuleFailure,
  chatResponse,
  hasRole,
  usage,
  userKeyOf,
  type Logger,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import { MEMORY_TYPES, type MemoryType } from './db.js';
import { MemoryInputError } from './memory-fields.js';
import {
  EDITABLE_FIELDS,
  addMemory,
  deactivateMemory,
  editMemory,
  findMemory,
  queryMemories,
  randomMemory,
  useMemory,
  type Memory,
  type MemoryDeps,
} from './memory-store.js';
import { addDelay, delayInRange, describeDelay, formatUtc, parseDelay } from './reminder-delay.js';
import { ReminderError, createReminder, type ReminderDeps } from './reminders.js';

export interface MemoriesModuleDeps extends MemoryDeps, ReminderDeps {
  logger: Logger;
}

const MODULE = 'memories';
const CHAT_LIMIT = 450;

const HELP =
  'Memories: !memories add quote "text" [author] | add url "title" "url" [description] | ' +
  'add note "title" "content" [tags] | list [quote|url|note] | search "term" | get <id> | ' +
  'edit <id> <title|content|author|url|tags> "value" | delete <id> | quotes | urls | ' +
  'remind "text" in "30 minutes"';

const TYPE_LABEL: Record<MemoryType, string> = { quote: 'Quote', url: 'URL', note: 'Note' };

/** Managers: moderator+ or the `memories` label. */
export function isManager(role: string, labels: readonly string[]): boolean {
  return hasRole(role, 'moderator') || labels.includes('memories');
}

function deny(action: string): ModuleFailure {
  return new ModuleFailure(
    'FORBIDDEN',
    `You don't have permission to ${action}. You need the memories label or moderator rights.`,
  );
}

function clip(text: string): string {
  return text.length <= CHAT_LIMIT ? text : `${text.slice(0, CHAT_LIMIT - 1)}…`;
}

/** Joins list entries with ` | ` and says how many did not fit. */
function joinLines(head: string, lines: string[]): string {
  let text = head;
  for (let i = 0; i < lines.length; i++) {
    const entry = `${i > 0 ? ' | ' : ''}${lines[i]}`;
    const more = ` …and ${lines.length - i} more`;
    if (text.length + entry.length > CHAT_LIMIT - (i < lines.length - 1 ? more.length : 0))
      return text + more;
    text += entry;
  }
  return text;
}

function shortLine(m: Memory): string {
  switch (m.memory_type) {
    case 'quote':
      return `#${m.id} "${m.content}" — ${m.author ?? 'Unknown'}`;
    case 'url':
      return `#${m.id} ${m.title} ${m.url}`;
    case 'note':
      return `#${m.id} ${m.title}`;
  }
}

function fullText(m: Memory): string {
  switch (m.memory_type) {
    case 'quote':
      return clip(`Quote #${m.id}: "${m.content}" — ${m.author ?? 'Unknown'}`);
    case 'url':
      return clip(`URL #${m.id}: ${m.title} ${m.url}${m.content !== m.url ? ` — ${m.content}` : ''}`);
    case 'note':
      return clip(
        `Note #${m.id}: ${m.title} — ${m.content}${m.tags.length ? ` [${m.tags.join(', ')}]` : ''}`,
      );
  }
}

/** Turns a field problem into the chat VALIDATION answer. */
async function validated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MemoryInputError) throw new ModuleFailure('VALIDATION', err.message);
    throw err;
  }
}

function parseId(raw: string | undefined, usageText: string): number {
  if (!raw || !/^#?\d{1,15}$/.test(raw)) throw usage(usageText);
  return Number(raw.replace('#', ''));
}

async function addCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const type = req.args[1]?.toLowerCase();
  if (!isManager(req.user_context.role, req.user_context.labels)) throw deny('add memories');
  const base = {
    communityId: req.community_id,
    entityId: req.entity_id,
    createdBy: userKeyOf(req.user, req.platform),
    createdByName: req.user.display_name || req.user.name,
  };
  let memory: Memory;
  switch (type) {
    case 'quote': {
      if (!req.args[2]) throw usage('Usage: !memories add quote "text" [author]');
      const author = req.args.slice(3).join(' ');
      memory = await validated(() =>
        addMemory(deps, { ...base, type, content: req.args[2]!, author: author || undefined }),
      );
      break;
    }
    case 'url': {
      if (!req.args[2] || !req.args[3]) throw usage('Usage: !memories add url "title" "url" [description]');
      const description = req.args.slice(4).join(' ');
      memory = await validated(() =>
        addMemory(deps, {
          ...base,
          type,
          title: req.args[2]!,
          url: req.args[3]!,
          content: description || undefined,
        }),
      );
      break;
    }
    case 'note': {
      if (!req.args[2] || !req.args[3]) throw usage('Usage: !memories add note "title" "content" [tags]');
      memory = await validated(() =>
        addMemory(deps, {
          ...base,
          type,
          title: req.args[2]!,
          content: req.args[3]!,
          tags: req.args.slice(4).join(','),
        }),
      );
      break;
    }
    default:
      throw usage('Usage: !memories add <quote|url|note> …');
  }
  deps.logger.audit({
    action: 'memory_add',
    community: req.community_id,
    user: base.createdBy,
    result: 'SUCCESS',
    memory_id: memory.id,
  });
  const reply =
    memory.memory_type === 'quote'
      ? `Quote #${memory.id} added: "${memory.content}" — ${memory.author}`
      : memory.memory_type === 'url'
        ? `URL #${memory.id} added: ${memory.title} ${memory.url}`
        : `Note #${memory.id} added: ${memory.title}`;
  return chatResponse(req, MODULE, clip(reply));
}

async function listCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const raw = req.args[1]?.toLowerCase();
  const type = MEMORY_TYPES.find((t) => t === raw);
  const perType = await Promise.all(
    (type ? [type] : MEMORY_TYPES).map((t) => queryMemories(deps, req.community_id, { type: t, limit: 10 })),
  );
  // Ten of each type, all of them newest first.
  const memories = perType
    .flatMap((r) => r.memories)
    .sort(
      (a, b) =>
        new Date(b.created_at).getTime() - new Date(a.created_at).getTime() || Number(b.id) - Number(a.id),
    );
  if (memories.length === 0) {
    return chatResponse(req, MODULE, type ? `No ${type}s saved yet` : 'No memories saved yet');
  }
  if (type) return chatResponse(req, MODULE, joinLines(`${TYPE_LABEL[type]}s: `, memories.map(shortLine)));
  return chatResponse(
    req,
    MODULE,
    joinLines(
      'Memories: ',
      memories.map((m) => `${TYPE_LABEL[m.memory_type]} ${shortLine(m)}`),
    ),
  );
}

async function searchCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const term = req.args.slice(1).join(' ').trim();
  if (!term) throw usage('Usage: !memories search "term"');
  const { memories } = await queryMemories(deps, req.community_id, { term: term.slice(0, 200), limit: 20 });
  if (memories.length === 0) return chatResponse(req, MODULE, clip(`Nothing matches "${term}"`));
  return chatResponse(req, MODULE, joinLines(`Found ${memories.length}: `, memories.map(shortLine)));
}

async function getCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const id = parseId(req.args[1], 'Usage: !memories get <id>');
  const found = await findMemory(deps, req.community_id, id);
  if (!found) throw new ModuleFailure('NOT_FOUND', 'Memory not found.');
  return chatResponse(req, MODULE, fullText(await useMemory(deps, found)));
}

/** Edit and delete: the creator, or a manager. */
async function ownedMemory(
  deps: MemoriesModuleDeps,
  req: ModuleRequest,
  id: number,
  action: string,
): Promise<Memory> {
  const found = await findMemory(deps, req.community_id, id);
  if (!found) throw new ModuleFailure('NOT_FOUND', 'Memory not found.');
  const isCreator = found.created_by === userKeyOf(req.user, req.platform);
  if (!isCreator && !isManager(req.user_context.role, req.user_context.labels)) throw deny(action);
  return found;
}

async function editCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const usageText = `Usage: !memories edit <id> <${EDITABLE_FIELDS.join('|')}> "value"`;
  const id = parseId(req.args[1], usageText);
  const field = req.args[2]?.toLowerCase();
  const value = req.args.slice(3).join(' ');
  if (!field || req.args.length < 4) throw usage(usageText);
  const editable = EDITABLE_FIELDS.find((f) => f === field);
  if (!editable)
    throw new ModuleFailure('VALIDATION', `You can edit only these fields: ${EDITABLE_FIELDS.join(', ')}`);
  const memory = await ownedMemory(deps, req, id, 'edit this memory');
  const updated = await validated(() => editMemory(deps, memory, { [editable]: value }));
  deps.logger.audit({
    action: 'memory_edit',
    community: req.community_id,
    user: userKeyOf(req.user, req.platform),
    result: 'SUCCESS',
    memory_id: id,
    field: editable,
  });
  return chatResponse(req, MODULE, clip(`Updated ${editable} of #${updated.id}`));
}

async function deleteCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const id = parseId(req.args[1], 'Usage: !memories delete <id>');
  const memory = await ownedMemory(deps, req, id, 'delete this memory');
  await deactivateMemory(deps, memory);
  deps.logger.audit({
    action: 'memory_delete',
    community: req.community_id,
    user: userKeyOf(req.user, req.platform),
    result: 'SUCCESS',
    memory_id: id,
  });
  return chatResponse(req, MODULE, `Deleted ${TYPE_LABEL[memory.memory_type].toLowerCase()} #${id}`);
}

async function quotesCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const quote = await randomMemory(deps, req.community_id, 'quote');
  if (!quote) {
    return chatResponse(req, MODULE, 'No quotes yet. Add one with !memories add quote "text" [author]');
  }
  return chatResponse(req, MODULE, fullText(await useMemory(deps, quote)));
}

async function urlsCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const { memories } = await queryMemories(deps, req.community_id, { type: 'url', limit: 20 });
  if (memories.length === 0) return chatResponse(req, MODULE, 'No URLs saved yet');
  return chatResponse(req, MODULE, joinLines('URLs: ', memories.map(shortLine)));
}

const REMIND_USAGE = 'Usage: !memories remind "text" in "time"';

async function remindCommand(deps: MemoriesModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const text = req.args[1];
  if (!text || req.args[2]?.toLowerCase() !== 'in' || req.args.length < 4) throw usage(REMIND_USAGE);
  const delay = parseDelay(req.args.slice(3).join(' '));
  if (!delay) {
    throw new ModuleFailure('VALIDATION', "Couldn't read that time; try 30 minutes, 2 hours, 1d or 3w");
  }
  const now = deps.clock.now();
  const remindAt = addDelay(now, delay);
  if (!delayInRange(now, remindAt)) {
    throw new ModuleFailure('VALIDATION', 'A reminder must be between 1 minute and 365 days away');
  }
  const userId = userKeyOf(req.user, req.platform);
  try {
    const row = await createReminder(deps, {
      communityId: req.community_id,
      entityId: req.entity_id,
      userId,
      // The login, so the "@name" in the reminder mentions the user.
      userName: req.user.name,
      text,
      remindAt,
    });
    deps.logger.audit({
      action: 'reminder_create',
      community: req.community_id,
      user: userId,
      result: 'SUCCESS',
      reminder_id: row.id,
    });
  } catch (err) {
    if (err instanceof ReminderError) {
      throw new ModuleFailure(err.kind === 'limit' ? 'CONFLICT' : 'VALIDATION', err.message);
    }
    throw err;
  }
  return chatResponse(req, MODULE, `⏰ Reminder set for ${formatUtc(remindAt)} (in ${describeDelay(delay)})`);
}

export async function handleMemoriesRequest(
  deps: MemoriesModuleDeps,
  req: ModuleRequest,
): Promise<ModuleResponse> {
  switch (req.args[0]?.toLowerCase()) {
    case 'add':
      return addCommand(deps, req);
    case 'list':
      return listCommand(deps, req);
    case 'search':
      return searchCommand(deps, req);
    case 'get':
      return getCommand(deps, req);
    case 'edit':
      return editCommand(deps, req);
    case 'delete':
      return deleteCommand(deps, req);
    case 'remind':
      return remindCommand(deps, req);
    case 'quotes':
      return quotesCommand(deps, req);
    case 'urls':
      return urlsCommand(deps, req);
    default:
      return chatResponse(req, MODULE, HELP);
  }
}
