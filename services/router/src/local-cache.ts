/**
 * In-process TTL cache for hot look-ups (router-and-receivers §3.17). Bounded, so a flood of
 * distinct keys cannot grow it without limit; cleared by prefix on admin writes and pub/sub.
 */
export class LocalCache {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly nowMs: () => number,
    private readonly maxEntries = 50_000,
  ) {}

  get<T>(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    if (e.expiresAt <= this.nowMs()) {
      this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    return e.value as T;
  }

  set<T>(key: string, value: T, ttlSeconds: number) {
    if (ttlSeconds <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Map keeps insertion order: dropping the oldest tenth is a cheap approximation of LRU.
      let drop = Math.ceil(this.maxEntries / 10);
      for (const k of this.entries.keys()) {
        this.entries.delete(k);
        if (--drop <= 0) break;
      }
    }
    this.entries.set(key, { value, expiresAt: this.nowMs() + ttlSeconds * 1000 });
  }

  async getOrLoad<T>(key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
    const hit = this.get<{ v: T }>(key);
    if (hit) return hit.v;
    const v = await load();
    this.set(key, { v }, ttlSeconds);
    return v;
  }

  clear(prefix = '') {
    if (!prefix) {
      this.entries.clear();
      return;
    }
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
