import { Server } from 'node:http';
import type { OverlaySockets } from './overlay-sockets.js';

/**
 * Finds the HTTP server libs/core opened on this service's port. libs/core offers no hook that
 * hands the server to a service, and WebSockets must share the HTTP port (contracts §2); the
 * server is the one active handle listening on that port. Replace with a libs/core upgrade hook.
 */
export function findListeningServer(port: number): Server | undefined {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  for (const handle of handles) {
    if (!(handle instanceof Server)) continue;
    const address = handle.address();
    if (address && typeof address === 'object' && address.port === port) return handle;
  }
  return undefined;
}

/** Serves the overlay sockets on a server's upgrade requests; returns the detacher. */
export function attachOverlaySockets(server: Server, sockets: OverlaySockets): () => void {
  server.on('upgrade', sockets.handleUpgrade);
  return () => server.off('upgrade', sockets.handleUpgrade);
}
