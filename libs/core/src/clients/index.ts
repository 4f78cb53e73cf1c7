export * from './dispatch.js';
export * from './http.js';
export * from './service.js';
