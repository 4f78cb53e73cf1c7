import autocannon, { type Request } from 'autocannon';

export interface LoadResult {
  scenario: string;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  total: number;
  non_2xx: number;
  errors: number;
}

export interface LoadOptions {
  scenario: string;
  url: string;
  seconds: number;
  connections: number;
  request?: Request;
}

/** One bounded autocannon run against 127.0.0.1. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    ...(opts.request ? { requests: [opts.request] } : {}),
  });
  return {
    scenario: opts.scenario,
    requests_per_second: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    total: result.requests.total,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
