import type { Holder, ItemView } from './item-view.js';

/** Chat replies stay within what every platform shows in one message (interaction-modules §1.4). */
export const MAX_CHAT_LENGTH = 450;

/** Joins entries with ` | ` and cuts at whole entries, saying how many were left out. */
export function fitChat(head: string, entries: readonly string[]): string {
  let text = head;
  for (let i = 0; i < entries.length; i++) {
    const next = `${text}${i === 0 ? '' : ' | '}${entries[i]}`;
    const rest = entries.length - i - 1;
    const room = rest > 0 ? MAX_CHAT_LENGTH - ` | … and ${rest} more`.length : MAX_CHAT_LENGTH;
    if (next.length > room) {
      // A single over-long first entry is still worth showing, shortened.
      if (i === 0) return clampChat(`${next}${rest > 0 ? ` | … and ${rest} more` : ''}`);
      return `${text} | … and ${entries.length - i} more`;
    }
    text = next;
  }
  return text;
}

/** `2025-11-20 18:00 UTC` */
export function chatTime(d: Date | string): string {
  return `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function holderText(h: Holder): string {
  return h.quantity > 1 ? `${h.name} ×${h.quantity}` : h.name;
}

/** `name (available/qty)` plus who holds it. */
export function listEntry(item: ItemView): string {
  const base = `${item.item_name} (${item.available_quantity}/${item.quantity})`;
  return item.holders.length ? `${base} with ${item.holders.map(holderText).join(', ')}` : base;
}

export function labelsText(labels: readonly string[]): string {
  return labels.length ? labels.join(', ') : 'none';
}

/** A single reply that user text (a 255-character name, say) could push past one message. */
export function clampChat(text: string): string {
  return text.length <= MAX_CHAT_LENGTH ? text : `${text.slice(0, MAX_CHAT_LENGTH - 1)}…`;
}
