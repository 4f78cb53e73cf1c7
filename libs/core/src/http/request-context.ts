import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being served, so outbound calls forward its X-Request-Id without threading it through. */
const store = new AsyncLocalStorage<{ requestId: string }>();

export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return store.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}
