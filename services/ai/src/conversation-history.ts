import type { Clock } from '@waddlebot/core';
import type { ChatMessage } from './llm-client.js';

interface Exchange {
  user: string;
  assistant: string;
}

interface Conversation {
  exchanges: Exchange[];
  touchedMs: number;
}

/**
 * Recent question/answer pairs per (community, user key), in process memory (interaction-modules §2):
 * least recently used conversations are evicted first and idle ones expire. Keyed by community so a
 * user's talk in one community never shows up in another's prompt.
 */
export class ConversationHistory {
  private readonly conversations = new Map<string, Conversation>();

  constructor(
    private readonly clock: Clock,
    private readonly opts: { maxExchanges: number; ttlMs: number; maxConversations: number },
  ) {}

  private static key(communityId: string, userKey: string) {
    return JSON.stringify([communityId, userKey]);
  }

  private live(key: string): Conversation | undefined {
    const c = this.conversations.get(key);
    if (!c) return undefined;
    if (this.clock.nowMs() - c.touchedMs > this.opts.ttlMs) {
      this.conversations.delete(key);
      return undefined;
    }
    return c;
  }

  /** Earlier turns as chat messages, oldest first. */
  messages(communityId: string, userKey: string): ChatMessage[] {
    if (this.opts.maxExchanges === 0) return [];
    const c = this.live(ConversationHistory.key(communityId, userKey));
    return (c?.exchanges ?? []).flatMap((e) => [
      { role: 'user' as const, content: e.user },
      { role: 'assistant' as const, content: e.assistant },
    ]);
  }

  record(communityId: string, userKey: string, exchange: Exchange) {
    if (this.opts.maxExchanges === 0) return;
    const key = ConversationHistory.key(communityId, userKey);
    const c = this.live(key) ?? { exchanges: [], touchedMs: 0 };
    c.exchanges.push(exchange);
    if (c.exchanges.length > this.opts.maxExchanges)
      c.exchanges.splice(0, c.exchanges.length - this.opts.maxExchanges);
    c.touchedMs = this.clock.nowMs();
    // Re-inserting moves the key to the end: Map order is the LRU order.
    this.conversations.delete(key);
    this.conversations.set(key, c);
    while (this.conversations.size > this.opts.maxConversations) {
      const oldest = this.conversations.keys().next().value;
      if (oldest === undefined) break;
      this.conversations.delete(oldest);
    }
  }

  /**
   * Moves conversations of retired user keys to the surviving one (contracts §14); where both exist
   * in one community the retired key's turns go first and the last `maxExchanges` are kept.
   * Returns how many conversations moved.
   */
  rekey(oldKeys: readonly string[], intoKey: string): number {
    let moved = 0;
    for (const [key, c] of [...this.conversations]) {
      const [communityId, userKey] = JSON.parse(key) as [string, string];
      if (!oldKeys.includes(userKey)) continue;
      this.conversations.delete(key);
      moved++;
      const targetKey = ConversationHistory.key(communityId, intoKey);
      const target = this.live(targetKey);
      const merged = target
        ? [...c.exchanges, ...target.exchanges].slice(-this.opts.maxExchanges)
        : c.exchanges;
      this.conversations.set(targetKey, {
        exchanges: merged,
        touchedMs: Math.max(c.touchedMs, target?.touchedMs ?? 0),
      });
    }
    return moved;
  }

  size() {
    return this.conversations.size;
  }
}
