import type { HttpResponse, Logger } from '@waddlebot/core';

/**
 * The WaddleBot services the router can do without (contracts §15: never required), with what
 * an event loses while one is down.
 */
export const OPTIONAL_DEPENDENCIES = {
  identity: 'continuing without uid',
  labels: 'continuing without labels',
  reputation: 'events are not scored',
  'browser-source': 'overlays are dropped',
} as const;

export type OptionalDependency = keyof typeof OPTIONAL_DEPENDENCIES;

/**
 * Remembers which optional services are down, so that a service that is simply not running
 * (an all-in-one start with some services left out) costs one warning, not one per message:
 * `warn` when it goes down, `debug` while it stays down, `info` when it answers again.
 */
export class DependencyWatch {
  private readonly down = new Set<OptionalDependency>();

  constructor(private readonly logger: Logger) {}

  isDown(name: OptionalDependency): boolean {
    return this.down.has(name);
  }

  failed(name: OptionalDependency, fields: Record<string, unknown>) {
    const msg = `${name} unavailable; ${OPTIONAL_DEPENDENCIES[name]}`;
    if (this.down.has(name)) {
      this.logger.debug(msg, { dependency: name, ...fields });
      return;
    }
    this.down.add(name);
    this.logger.warn(msg, { dependency: name, ...fields });
  }

  succeeded(name: OptionalDependency) {
    if (this.down.delete(name)) this.logger.info(`${name} available again`, { dependency: name });
  }

  /**
   * Runs one call to an optional service: its 2xx answer, or null after reporting the refusal
   * or outage. Never throws.
   */
  async call<T>(
    name: OptionalDependency,
    request: () => Promise<HttpResponse<T>>,
    fields: Record<string, unknown> = {},
  ): Promise<HttpResponse<T> | null> {
    try {
      const res = await request();
      if (res.ok) {
        this.succeeded(name);
        return res;
      }
      this.failed(name, { status: res.status, ...fields });
    } catch (err) {
      this.failed(name, { err: (err as Error).message, ...fields });
    }
    return null;
  }
}
