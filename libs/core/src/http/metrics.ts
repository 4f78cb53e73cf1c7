import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  counter(name: string, help: string, labelNames?: string[]): Counter<string>;
  histogram(name: string, help: string, labelNames?: string[], buckets?: number[]): Histogram<string>;
}

/** One registry per service, so each service's /metrics shows only its own series. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const counters = new Map<string, Counter<string>>();
  const histograms = new Map<string, Histogram<string>>();
  return {
    registry,
    httpRequests,
    httpDuration,
    counter(name, help, labelNames = []) {
      let c = counters.get(name);
      if (!c) counters.set(name, (c = new Counter({ name, help, labelNames, registers: [registry] })));
      return c;
    },
    histogram(name, help, labelNames = [], buckets) {
      let h = histograms.get(name);
      if (!h)
        histograms.set(
          name,
          (h = new Histogram({
            name,
            help,
            labelNames,
            registers: [registry],
            ...(buckets ? { buckets } : {}),
          })),
        );
      return h;
    },
  };
}
