import {
  ModuleFailure,
  chatResponse,
  forbidden,
  hasRole,
  skippedResponse,
  usage,
  userKeyOf,
  type Logger,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import { chatTime, clampChat, fitChat, holderText, labelsText, listEntry } from './chat-format.js';
import { InventoryError } from './inventory-error.js';
import { NUMERIC_TOKEN, labelsFromTokens } from './item-input.js';
import {
  addItem,
  deleteItem,
  getItem,
  listItems,
  updateItem,
  type Actor,
  type InventoryDeps,
  type ListFilter,
} from './item-store.js';
import { checkinItem, checkoutItem } from './lending.js';
import { addLabel, removeLabel } from './item-labels.js';
import { inventoryStats } from './inventory-stats.js';
import { WRITE_PERMISSIONS, type WriteKind } from './write-permissions.js';

export const MODULE_NAME = 'inventory';

export const HELP =
  'Inventory: !inventory add <item> [qty] [description] [labels] | checkout <item> <user> [qty] | ' +
  'checkin <item> [user] | setqty <item> <n> | delete <item> | list [all|available|checked_out] | ' +
  'search <text> | status <item> | stats | labels <item> add|remove <label>';

/** The most items a chat list looks at; the reply is cut to one message anyway. */
const CHAT_LIST_LIMIT = 200;

const LIST_FILTER_WORDS: Record<string, ListFilter> = {
  all: 'all',
  available: 'available',
  checked_out: 'checked_out',
  checkedout: 'checked_out',
};

type Handler = (ctx: ChatContext) => Promise<string | ModuleResponse>;

interface ChatContext {
  deps: InventoryDeps;
  req: ModuleRequest;
  community: string;
  actor: Actor;
  /** Arguments after the subcommand. */
  args: string[];
}

function requireRole(ctx: ChatContext, kind: WriteKind) {
  const { role, action } = WRITE_PERMISSIONS[kind];
  if (!hasRole(ctx.req.user_context.role, role)) throw forbidden(action);
}

function itemArg(ctx: ChatContext, syntax: string): string {
  const name = ctx.args[0]?.trim();
  if (!name) throw usage(`Usage: !inventory ${syntax}`);
  return name;
}

const SUBCOMMANDS: Record<string, Handler> = {
  async add(ctx) {
    requireRole(ctx, 'add');
    const [name = '', second, ...rest] = ctx.args;
    let quantity: string | undefined;
    let description: string | undefined;
    let labelText: string[];
    if (second !== undefined && NUMERIC_TOKEN.test(second.trim())) {
      quantity = second;
      description = rest[0];
      labelText = rest.slice(1);
    } else {
      description = second;
      labelText = rest;
    }
    const item = await addItem(ctx.deps, ctx.community, ctx.actor, {
      item_name: name,
      quantity,
      description,
      labels: labelsFromTokens(labelText),
    });
    const labels = item.labels.length ? ` [${item.labels.join(', ')}]` : '';
    return `Added '${item.item_name}' (qty ${item.quantity})${labels}`;
  },

  async checkout(ctx) {
    requireRole(ctx, 'checkout');
    const name = itemArg(ctx, 'checkout <item> <user> [qty]');
    const user = ctx.args[1];
    if (!user?.trim()) throw usage('Usage: !inventory checkout <item> <user> [qty]');
    const res = await checkoutItem(ctx.deps, ctx.community, ctx.actor, name, user, ctx.args[2] ?? 1);
    const { item } = res;
    const left = item.quantity > 1 ? ` (${item.available_quantity} of ${item.quantity} left)` : '';
    return `'${item.item_name}' lent to ${res.borrower}${left}`;
  },

  async checkin(ctx) {
    requireRole(ctx, 'checkin');
    const name = itemArg(ctx, 'checkin <item> [user]');
    const res = await checkinItem(ctx.deps, ctx.community, ctx.actor, name, ctx.args[1]);
    const { item } = res;
    const left = item.quantity > 1 ? ` (${item.available_quantity} of ${item.quantity} available)` : '';
    return `'${item.item_name}' returned by ${res.borrower}${left}`;
  },

  async setqty(ctx) {
    requireRole(ctx, 'update');
    const name = itemArg(ctx, 'setqty <item> <n>');
    const n = ctx.args[1];
    if (n === undefined) throw usage('Usage: !inventory setqty <item> <n>');
    const item = await updateItem(ctx.deps, ctx.community, ctx.actor, name, { quantity: n });
    return `'${item.item_name}' quantity set to ${item.quantity} (${item.available_quantity} available)`;
  },

  async delete(ctx) {
    requireRole(ctx, 'delete');
    const name = itemArg(ctx, 'delete <item>');
    const res = await deleteItem(ctx.deps, ctx.community, ctx.actor, name);
    return `Deleted '${res.item_name}'`;
  },

  async list(ctx) {
    const word = (ctx.args[0] ?? 'all').toLowerCase();
    const filter = LIST_FILTER_WORDS[word];
    if (!filter) throw usage('Usage: !inventory list [all|available|checked_out]');
    const { items, total } = await listItems(ctx.deps, ctx.community, { filter, limit: CHAT_LIST_LIMIT });
    if (total === 0)
      return filter === 'all'
        ? 'The inventory is empty'
        : filter === 'available'
          ? 'Nothing is available right now'
          : 'Nothing is checked out';
    const entries = items.map(listEntry);
    if (total > items.length) entries.push(`… ${total - items.length} more`);
    return fitChat(`Inventory (${total}): `, entries);
  },

  async search(ctx) {
    const query = ctx.args.join(' ').trim();
    if (!query) throw usage('Usage: !inventory search <text>');
    if (query.length > 100)
      throw new ModuleFailure('VALIDATION', 'Search text must be at most 100 characters');
    const { items, total } = await listItems(ctx.deps, ctx.community, { query, limit: CHAT_LIST_LIMIT });
    if (total === 0) return `No items match '${query}'`;
    return fitChat(`Found ${total}: `, items.map(listEntry));
  },

  async status(ctx) {
    const name = itemArg(ctx, 'status <item>');
    const item = await getItem(ctx.deps, ctx.community, name);
    if (item.holders.length === 0) {
      const since = item.checked_in_at ? ` (last returned ${chatTime(item.checked_in_at)})` : '';
      const count = item.quantity > 1 ? `, all ${item.quantity} units` : '';
      return `${item.item_name}: available${count}${since}`;
    }
    const held = item.holders.map((h) => `${holderText(h)} since ${chatTime(h.since)}`).join(', ');
    const free = item.quantity > 1 ? `; ${item.available_quantity} of ${item.quantity} available` : '';
    return `${item.item_name}: with ${held}${free}`;
  },

  async stats(ctx) {
    const s = await inventoryStats(ctx.deps, ctx.community);
    const top = s.most_used_labels.slice(0, 3).map((l) => l.label);
    return (
      `Items: ${s.total_items}, checked out: ${s.checked_out_items}, available: ${s.available_items}, ` +
      `labels: ${s.total_labels}. Top labels: ${top.length ? top.join(', ') : 'none'}`
    );
  },

  async labels(ctx) {
    const syntax = 'labels <item> add|remove <label>';
    const name = itemArg(ctx, syntax);
    const action = ctx.args[1]?.toLowerCase();
    if (action === undefined) {
      const item = await getItem(ctx.deps, ctx.community, name);
      return `'${item.item_name}' labels: ${labelsText(item.labels)}`;
    }
    requireRole(ctx, 'labels');
    if (action !== 'add' && action !== 'remove')
      throw new ModuleFailure('VALIDATION', 'Action must be add or remove');
    const label = ctx.args.slice(2).join(' ');
    if (!label.trim()) throw usage(`Usage: !inventory ${syntax}`);
    if (action === 'add') {
      const item = await addLabel(ctx.deps, ctx.community, ctx.actor, name, label);
      return `Added label '${label.trim().toLowerCase()}' to '${item.item_name}'. Labels: ${labelsText(item.labels)}`;
    }
    const item = await removeLabel(ctx.deps, ctx.community, ctx.actor, name, label);
    return `Removed label '${label.trim().toLowerCase()}' from '${item.item_name}'. Labels: ${labelsText(item.labels)}`;
  },
};

/** Subcommands that change data; each attempt lands in the AUDIT log with its outcome. */
const CHANGES = new Set(['add', 'checkout', 'checkin', 'setqty', 'delete', 'labels']);

const FAILURE_CODES = { validation: 'VALIDATION', not_found: 'NOT_FOUND', conflict: 'CONFLICT' } as const;

/** `!inventory …` / `!inv …` from the router (contracts §9). */
export async function handleInventoryRequest(
  deps: InventoryDeps & { logger: Logger },
  req: ModuleRequest,
): Promise<ModuleResponse> {
  // A string rule may run `!inventory …` too (router-and-receivers §3.9); events never do.
  if (req.trigger_type !== 'command' && req.trigger_type !== 'string_match')
    return skippedResponse(req, MODULE_NAME, 'not a command');
  const [sub = '', ...args] = req.args;
  const word = sub.toLowerCase();
  const handler = Object.hasOwn(SUBCOMMANDS, word) ? SUBCOMMANDS[word] : undefined;
  if (!handler) {
    if (word === '' || word === 'help') return chatResponse(req, MODULE_NAME, HELP);
    throw usage(`Unknown subcommand '${sub.slice(0, 30)}'. ${HELP}`);
  }
  const ctx: ChatContext = {
    deps,
    req,
    community: req.community_id,
    actor: { key: userKeyOf(req.user, req.platform), name: req.user.display_name || req.user.name },
    args,
  };
  const audited = CHANGES.has(word) && !(word === 'labels' && args.length < 2);
  const audit = (result: 'SUCCESS' | 'DENIED' | 'FAILURE') => {
    if (audited)
      deps.logger.audit({
        action: `inventory_${word}`,
        community: ctx.community,
        user: ctx.actor.key,
        result,
      });
  };
  try {
    const reply = await handler(ctx);
    audit('SUCCESS');
    return typeof reply === 'string' ? chatResponse(req, MODULE_NAME, clampChat(reply)) : reply;
  } catch (err) {
    if (err instanceof ModuleFailure) audit(err.code === 'FORBIDDEN' ? 'DENIED' : 'FAILURE');
    if (err instanceof InventoryError) {
      audit('FAILURE');
      throw new ModuleFailure(FAILURE_CODES[err.kind], clampChat(err.message));
    }
    throw err;
  }
}
