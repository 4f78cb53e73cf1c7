/** Short-lived shared state: Redis when REDIS_URL is set, in-memory otherwise (contracts §17.1). */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** SET NX: true when this call stored the value (dedup claims, idempotency keys). */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  /** Deletes every key starting with the prefix (cache clears). */
  delPrefix(prefix: string): Promise<number>;
  incr(key: string, ttlSeconds?: number): Promise<number>;
  ttl(key: string): Promise<number>;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Hits counted in the window, including this one when allowed. */
  count: number;
  remaining: number;
  /** Seconds until a slot frees up (0 when allowed). */
  retryAfterSeconds: number;
}

/** Sliding-window limiter: at most `limit` hits per key in any `windowSeconds` span. */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision>;
  peek(key: string, windowSeconds: number): Promise<number>;
  reset(key: string): Promise<void>;
  resetPrefix(prefix: string): Promise<number>;
}

export type MessageHandler = (message: string) => void;

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active; the returned function unsubscribes. */
  subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>>;
}

export interface StateBackend {
  readonly kind: 'redis' | 'memory';
  readonly kv: KeyValueStore;
  readonly rateLimiter: RateLimiter;
  readonly pubsub: PubSub;
  ping(): Promise<void>;
  close(): Promise<void>;
}
