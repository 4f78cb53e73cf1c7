import type { Clock } from '../clock.js';
import { createMemoryState } from './memory.js';
import { createRedisState } from './redis.js';
import type { KeyValueStore, StateBackend } from './types.js';

export * from './types.js';
export { createMemoryState, MemoryKeyValueStore, MemoryRateLimiter, MemoryPubSub } from './memory.js';
export { createRedisState } from './redis.js';

export function createState(redisUrl: string | undefined, clock?: Clock): StateBackend {
  return redisUrl ? createRedisState(redisUrl, clock) : createMemoryState(clock);
}

/** JSON values with a TTL; `getOrLoad` fills a miss from the loader. */
export class TtlCache {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly prefix: string,
  ) {}
  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.kv.get(this.prefix + key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }
  async set<T>(key: string, value: T, ttlSeconds: number) {
    await this.kv.set(this.prefix + key, JSON.stringify(value), ttlSeconds);
  }
  async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const hit = await this.get<T>(key);
    if (hit !== undefined) return hit;
    const value = await load();
    if (value !== undefined) await this.set(key, value, ttlSeconds);
    return value;
  }
  async delete(key: string) {
    await this.kv.del(this.prefix + key);
  }
  async clear(subPrefix = '') {
    return this.kv.delPrefix(this.prefix + subPrefix);
  }
}

/** Sessions keyed by id, stored as JSON with a TTL (router sessions, portal sessions). */
export class SessionStore<T extends object> {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}
  async create(id: string, data: T) {
    await this.kv.set(this.prefix + id, JSON.stringify(data), this.ttlSeconds);
  }
  async get(id: string): Promise<T | null> {
    const raw = await this.kv.get(this.prefix + id);
    return raw === null ? null : (JSON.parse(raw) as T);
  }
  async update(id: string, patch: Partial<T>): Promise<T | null> {
    const current = await this.get(id);
    if (!current) return null;
    const next = { ...current, ...patch };
    await this.kv.set(this.prefix + id, JSON.stringify(next), this.ttlSeconds);
    return next;
  }
  async destroy(id: string) {
    await this.kv.del(this.prefix + id);
  }
}

/** Claims a key once within a TTL (event ids, outbound idempotency keys). */
export class DedupStore {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly prefix: string,
  ) {}
  claim(key: string, ttlSeconds: number) {
    return this.kv.setIfAbsent(this.prefix + key, '1', ttlSeconds);
  }
  async seen(key: string) {
    return (await this.kv.get(this.prefix + key)) !== null;
  }
  async release(key: string) {
    await this.kv.del(this.prefix + key);
  }
}
