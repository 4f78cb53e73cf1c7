/**
 * `npm start`: every service that exists, in one process, on its contracts §1 port, over the
 * embedded default (PGlite under WADDLEBOT_DATA_DIR, in-memory state) unless DATABASE_URL /
 * REDIS_URL say otherwise (contracts §17).
 */
import { launch } from './launcher.js';

launch(process.env).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
