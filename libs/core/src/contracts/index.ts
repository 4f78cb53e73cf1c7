export * from './roles.js';
export * from './ids.js';
export * from './tokenise.js';
export * from './messages.js';
export * from './module-response.js';
