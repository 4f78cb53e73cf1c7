export * from './types.js';
export * from './keys.js';
export * from './jwt.js';
export * from './middleware.js';
export * from './identity-keys.js';
export * from './token-cipher.js';
