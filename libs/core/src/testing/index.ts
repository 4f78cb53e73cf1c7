export * from './database.js';
export * from './state.js';
export * from './fake-server.js';
export * from './runtime.js';
export * from './signing.js';
export { FakeClock } from '../clock.js';
export { createMemoryLogger } from '../log/index.js';
export * from './module-request.js';
