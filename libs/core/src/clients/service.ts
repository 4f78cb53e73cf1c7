import type { Logger } from '../log/index.js';
import { currentRequestId } from '../http/request-context.js';
import { envPrefix } from '../registry.js';
import { createHttpClient, type FetchLike, type HttpClient } from './http.js';

export interface ServiceClientFactoryOptions {
  /** Resolved config: `<NAME>_URL` values, SERVICE_API_KEY, REQUEST_TIMEOUT. */
  config: Record<string, unknown> & { SERVICE_API_KEY: string; REQUEST_TIMEOUT: number };
  fetch: FetchLike;
  logger?: Logger;
  /** The request id to forward: a function so each call forwards the current one. */
  requestId?: () => string | undefined;
}

/**
 * `serviceClient('router')`: base URL from `ROUTER_URL`, `X-Service-Key` on every call, the
 * request id forwarded, REQUEST_TIMEOUT unless a call says otherwise.
 */
export function createServiceClients(opts: ServiceClientFactoryOptions) {
  const clients = new Map<string, HttpClient>();
  return function serviceClient(name: string): HttpClient {
    let client = clients.get(name);
    if (!client) {
      const baseUrl = opts.config[`${envPrefix(name)}_URL`];
      if (typeof baseUrl !== 'string') throw new Error(`no ${envPrefix(name)}_URL configured`);
      client = createHttpClient({
        baseUrl,
        fetch: opts.fetch,
        timeoutMs: opts.config.REQUEST_TIMEOUT * 1000,
        logger: opts.logger,
        headers: () => {
          const rid = (opts.requestId ?? currentRequestId)();
          return { 'X-Service-Key': opts.config.SERVICE_API_KEY, ...(rid ? { 'X-Request-Id': rid } : {}) };
        },
      });
      clients.set(name, client);
    }
    return client;
  };
}

export type ServiceClientFactory = ReturnType<typeof createServiceClients>;
