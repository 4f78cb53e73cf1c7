export * from './job-scheduler.js';
export * from './outbound-delivery.js';
export * from './chat-reminders.js';
