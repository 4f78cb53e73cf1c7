import type { Server } from 'node:http';
import type { OverlaySockets } from './overlay-sockets.js';

/** Serves the overlay sockets on a server's upgrade requests; returns the detacher. */
export function attachOverlaySockets(server: Server, sockets: OverlaySockets): () => void {
  server.on('upgrade', sockets.handleUpgrade);
  return () => server.off('upgrade', sockets.handleUpgrade);
}
