import { runService } from '@waddlebot/core';
import { service } from './service.js';

await runService(service);
