/**
 * A minimal browser over `app.request`: keeps cookies (as a browser would by name), follows
 * redirects when asked, and fills the CSRF field of forms from the last page it loaded.
 */
export interface WebResponse {
  status: number;
  location: string | null;
  text: string;
  headers: Headers;
  setCookies: string[];
}

type Fetcher = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

export class WebClient {
  readonly cookies = new Map<string, string>();
  lastPage = '';

  constructor(private readonly app: Fetcher) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private async send(
    method: string,
    path: string,
    body?: URLSearchParams,
    headers: Record<string, string> = {},
  ) {
    const res = await this.app.request(path, {
      method,
      headers: {
        ...(this.cookies.size ? { Cookie: this.cookieHeader() } : {}),
        ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      ...(body ? { body: body.toString() } : {}),
    });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    const out: WebResponse = {
      status: res.status,
      location: res.headers.get('location'),
      text,
      headers: res.headers,
      setCookies,
    };
    if (res.headers.get('content-type')?.includes('text/html')) this.lastPage = text;
    return out;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.send('GET', path, undefined, headers);
  }

  /** Follows up to `max` redirects, like a browser; returns the final response and the path reached. */
  async follow(res: WebResponse, max = 5): Promise<WebResponse & { path: string }> {
    let current = res;
    let path = '';
    for (let i = 0; i < max && current.location; i++) {
      path = current.location.split('#')[0]!;
      current = await this.get(path);
    }
    return { ...current, path };
  }

  csrf(): string {
    const m = /name="csrf_token" value="([^"]+)"/.exec(this.lastPage);
    // A page without forms (e.g. a dashboard) still leaves the token in the browser's cookie.
    const token = m?.[1] ?? this.cookies.get('wb_csrf');
    if (!token) throw new Error('no CSRF token: load a page with a form first');
    return token;
  }

  /** Posts a form with the CSRF token of the page currently loaded (unless `csrf: false`). */
  post(path: string, fields: Record<string, string>, opts: { csrf?: boolean } = {}) {
    const body = new URLSearchParams(fields);
    if (opts.csrf !== false) body.set('csrf_token', this.csrf());
    return this.send('POST', path, body);
  }
}
