import { EventEmitter } from 'node:events';
import { systemClock, type Clock } from '../clock.js';
import type { KeyValueStore, PubSub, RateLimiter, StateBackend } from './types.js';

interface Entry {
  value: string;
  expiresAt: number | null;
}

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly data = new Map<string, Entry>();
  private sweeps = 0;
  constructor(private readonly clock: Clock = systemClock) {}

  private live(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e && e.expiresAt !== null && e.expiresAt <= this.clock.nowMs()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }
  private sweep() {
    // Expired keys nobody reads again would otherwise stay forever.
    if (++this.sweeps % 1000 !== 0) return;
    const now = this.clock.nowMs();
    for (const [k, e] of this.data) if (e.expiresAt !== null && e.expiresAt <= now) this.data.delete(k);
  }
  async get(key: string) {
    return this.live(key)?.value ?? null;
  }
  async set(key: string, value: string, ttlSeconds?: number) {
    this.sweep();
    this.data.set(key, { value, expiresAt: ttlSeconds ? this.clock.nowMs() + ttlSeconds * 1000 : null });
  }
  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    if (this.live(key)) return false;
    await this.set(key, value, ttlSeconds);
    return true;
  }
  async del(...keys: string[]) {
    let n = 0;
    for (const k of keys) if (this.live(k) && this.data.delete(k)) n++;
    return n;
  }
  async delPrefix(prefix: string) {
    let n = 0;
    for (const k of [...this.data.keys()]) if (k.startsWith(prefix) && this.data.delete(k)) n++;
    return n;
  }
  async incr(key: string, ttlSeconds?: number) {
    const e = this.live(key);
    const next = (e ? Number(e.value) || 0 : 0) + 1;
    this.data.set(key, {
      value: String(next),
      expiresAt: e?.expiresAt ?? (ttlSeconds ? this.clock.nowMs() + ttlSeconds * 1000 : null),
    });
    return next;
  }
  async ttl(key: string) {
    const e = this.live(key);
    if (!e) return -2;
    if (e.expiresAt === null) return -1;
    return Math.ceil((e.expiresAt - this.clock.nowMs()) / 1000);
  }
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(private readonly clock: Clock = systemClock) {}

  private window(key: string, windowSeconds: number): number[] {
    const cutoff = this.clock.nowMs() - windowSeconds * 1000;
    const list = (this.hits.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.hits.set(key, list);
    else this.hits.delete(key);
    return list;
  }
  async hit(key: string, limit: number, windowSeconds: number) {
    const list = this.window(key, windowSeconds);
    const now = this.clock.nowMs();
    if (list.length >= limit) {
      const oldest = list[list.length - limit] ?? now;
      return {
        allowed: false,
        count: list.length,
        remaining: 0,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowSeconds * 1000 - now) / 1000)),
      };
    }
    list.push(now);
    this.hits.set(key, list);
    return { allowed: true, count: list.length, remaining: limit - list.length, retryAfterSeconds: 0 };
  }
  async peek(key: string, windowSeconds: number) {
    return this.window(key, windowSeconds).length;
  }
  async reset(key: string) {
    this.hits.delete(key);
  }
  async resetPrefix(prefix: string) {
    let n = 0;
    for (const k of [...this.hits.keys()]) if (k.startsWith(prefix) && this.hits.delete(k)) n++;
    return n;
  }
}

export class MemoryPubSub implements PubSub {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  async publish(channel: string, message: string) {
    // Delivered asynchronously, as over Redis: a publisher never runs subscribers inline.
    queueMicrotask(() => this.emitter.emit(channel, message));
  }
  async subscribe(channel: string, handler: (m: string) => void) {
    this.emitter.on(channel, handler);
    return async () => {
      this.emitter.off(channel, handler);
    };
  }
}

export function createMemoryState(clock: Clock = systemClock): StateBackend {
  return {
    kind: 'memory',
    kv: new MemoryKeyValueStore(clock),
    rateLimiter: new MemoryRateLimiter(clock),
    pubsub: new MemoryPubSub(),
    ping: async () => undefined,
    close: async () => undefined,
  };
}
