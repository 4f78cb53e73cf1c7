/**
 * In-process dispatch (contracts §17.2): when a target origin belongs to a service running in
 * this process, a request goes straight to its `app.fetch`, with no socket.
 */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

export class LocalDispatch {
  private readonly handlers = new Map<string, FetchHandler>();

  register(origin: string, handler: FetchHandler) {
    this.handlers.set(normaliseOrigin(origin), handler);
  }
  unregister(origin: string) {
    this.handlers.delete(normaliseOrigin(origin));
  }
  has(url: string) {
    return this.handlers.has(originOf(url));
  }
  /** fetch() that serves local origins in-process and everything else over the network. */
  readonly fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    const handler = this.handlers.get(originOf(url));
    if (!handler) return fetch(url, init);
    const request = new Request(url, init);
    return handler(request);
  };
}

function normaliseOrigin(origin: string): string {
  const u = new URL(origin);
  // localhost and 127.0.0.1 are the same listener for the launcher's defaults.
  const host = u.hostname === 'localhost' ? '127.0.0.1' : u.hostname;
  return `${u.protocol}//${host}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

function originOf(url: string): string {
  try {
    return normaliseOrigin(url);
  } catch {
    return '';
  }
}
