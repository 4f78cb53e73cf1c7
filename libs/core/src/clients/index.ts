export * from './dispatch.js';
export * from './http.js';
export * from './service.js';
export * from './upstream-breaker.js';
