export * from './define.js';
export * from './runtime.js';
export * from './seed.js';
export * from './interaction.js';
export * from './user-merged.js';
export * from './module-rest.js';
export * from './community-roles.js';
