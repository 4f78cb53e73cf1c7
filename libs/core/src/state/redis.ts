import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { systemClock, type Clock } from '../clock.js';
import { withTimeout } from '../http/app.js';
import type { KeyValueStore, PubSub, RateLimiter, StateBackend } from './types.js';

// Sliding window in one round trip: drop hits older than the window, count, add when under the limit.
const SLIDING_WINDOW = `
local key, now, window, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count >= limit then
  local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  return {0, count, tonumber(oldest[2]) or now}
end
redis.call('ZADD', key, now, member)
redis.call('PEXPIRE', key, window)
return {1, count + 1, 0}
`;

async function scanDelete(redis: Redis, prefix: string): Promise<number> {
  // SCAN sees full key names while other commands add ioredis' keyPrefix themselves.
  const keyPrefix = redis.options.keyPrefix ?? '';
  let cursor = '0';
  let n = 0;
  const pattern = `${(keyPrefix + prefix).replace(/[*?[\]\\]/g, '\\$&')}*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) n += await redis.del(...keys.map((k) => k.slice(keyPrefix.length)));
  } while (cursor !== '0');
  return n;
}

export class RedisKeyValueStore implements KeyValueStore {
  constructor(private readonly redis: Redis) {}
  get(key: string) {
    return this.redis.get(key);
  }
  async set(key: string, value: string, ttlSeconds?: number) {
    if (ttlSeconds) await this.redis.set(key, value, 'EX', ttlSeconds);
    else await this.redis.set(key, value);
  }
  async setIfAbsent(key: string, value: string, ttlSeconds: number) {
    return (await this.redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
  }
  async del(...keys: string[]) {
    return keys.length ? this.redis.del(...keys) : 0;
  }
  delPrefix(prefix: string) {
    return scanDelete(this.redis, prefix);
  }
  async incr(key: string, ttlSeconds?: number) {
    const n = await this.redis.incr(key);
    if (n === 1 && ttlSeconds) await this.redis.expire(key, ttlSeconds);
    return n;
  }
  ttl(key: string) {
    return this.redis.ttl(key);
  }
}

export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly clock: Clock = systemClock,
  ) {}
  async hit(key: string, limit: number, windowSeconds: number) {
    const now = this.clock.nowMs();
    const windowMs = windowSeconds * 1000;
    const [allowed, count, oldest] = (await this.redis.eval(
      SLIDING_WINDOW,
      1,
      key,
      now,
      windowMs,
      limit,
      `${now}:${randomUUID()}`,
    )) as [number, number, number];
    if (allowed === 1)
      return { allowed: true, count, remaining: Math.max(0, limit - count), retryAfterSeconds: 0 };
    return {
      allowed: false,
      count,
      remaining: 0,
      retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)),
    };
  }
  async peek(key: string, windowSeconds: number) {
    return this.redis.zcount(key, this.clock.nowMs() - windowSeconds * 1000 + 1, '+inf');
  }
  async reset(key: string) {
    await this.redis.del(key);
  }
  resetPrefix(prefix: string) {
    return scanDelete(this.redis, prefix);
  }
}

export class RedisPubSub implements PubSub {
  private readonly handlers = new Map<string, Set<(m: string) => void>>();
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly channelPrefix = '',
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      for (const h of this.handlers.get(channel) ?? []) h(message);
    });
  }
  async publish(channel: string, message: string) {
    await this.publisher.publish(this.channelPrefix + channel, message);
  }
  async subscribe(channel: string, handler: (m: string) => void) {
    const name = this.channelPrefix + channel;
    let set = this.handlers.get(name);
    if (!set) {
      this.handlers.set(name, (set = new Set()));
      await this.subscriber.subscribe(name);
    }
    const handlers = set;
    handlers.add(handler);
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0) {
        this.handlers.delete(name);
        await this.subscriber.unsubscribe(name);
      }
    };
  }
}

/** `keyPrefix` isolates keys and channels (tests sharing one Redis use one prefix each). */
export function createRedisState(url: string, clock: Clock = systemClock, keyPrefix = ''): StateBackend {
  const options = { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false, keyPrefix };
  const redis = new Redis(url, options);
  const subscriber = new Redis(url, options);
  // Connection errors surface on the calls that need Redis (→ 503); they must not crash the process.
  redis.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  return {
    kind: 'redis',
    kv: new RedisKeyValueStore(redis),
    rateLimiter: new RedisRateLimiter(redis, clock),
    pubsub: new RedisPubSub(redis, subscriber, keyPrefix),
    ping: () =>
      withTimeout(
        redis.ping().then(() => undefined),
        2000,
      ),
    close: async () => {
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
