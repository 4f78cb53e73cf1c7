import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { sha256Hex, type Clock, type Ids, type Logger } from '@waddlebot/core';
import { WebSocketServer, type WebSocket } from 'ws';
import { isSourceType, SOURCE_TYPES, type SourceType } from './source-types.js';
import type { OverlayToken } from './tokens.js';

/** core-and-admin §2.4 close codes. */
export const CLOSE_POLICY = 1008;
export const CLOSE_GOING_AWAY = 1001;
export const CLOSE_TRY_AGAIN = 1013;
const MAX_FRAME_BYTES = 1024 * 1024;

export interface OverlayConnection {
  id: string;
  communityId: number;
  sourceType: SourceType;
  tokenSha256: string;
  connectedAt: Date;
  lastClientPingAt: Date;
}

export interface OverlaySocketOptions {
  clock: Clock;
  ids: Ids;
  logger: Logger;
  maxConnections: number;
  idleTimeoutSeconds: number;
  resolveToken(token: string): Promise<OverlayToken | undefined>;
  /** Frames an opening socket gets right after `connected` (the replay of §2.4). */
  replayFrames(communityId: number, sourceType: SourceType): Promise<Record<string, unknown>[]>;
  /** A client frame this hub does not handle itself (track_ended, core-and-admin §17.6). */
  onClientEvent?(conn: OverlayConnection, message: Record<string, unknown>): Promise<void>;
}

/**
 * The overlay WebSockets of one replica: upgrade validation, the client protocol, local delivery
 * and idle sweeping. Sockets are served on the HTTP port through `handleUpgrade`.
 */
export class OverlaySockets {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly connections = new Map<WebSocket, OverlayConnection>();
  private pending = 0;

  constructor(private readonly opts: OverlaySocketOptions) {}

  /** `server.on('upgrade', sockets.handleUpgrade)`. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith('/ws/') && path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    // The handshake completes first so that the page sees the close code and reason (§2.4).
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      void this.accept(ws, path);
    });
  };

  private async accept(ws: WebSocket, path: string) {
    const segments = path.split('/').slice(2);
    const [token, type] = segments;
    if (segments.length !== 2 || !token || !type || !isSourceType(type)) {
      ws.close(CLOSE_POLICY, 'Invalid path');
      return;
    }
    if (this.connections.size + this.pending >= this.opts.maxConnections) {
      this.opts.logger.warn('overlay socket refused: connection limit reached', {
        limit: this.opts.maxConnections,
      });
      ws.close(CLOSE_TRY_AGAIN, 'Too many connections');
      return;
    }
    this.pending += 1;
    let row: OverlayToken | undefined;
    try {
      row = await this.opts.resolveToken(token);
    } catch (err) {
      this.opts.logger.error('overlay token lookup failed', { err });
      ws.close(CLOSE_TRY_AGAIN, 'Try again later');
      return;
    } finally {
      this.pending -= 1;
    }
    if (!row) {
      ws.close(CLOSE_POLICY, 'Invalid token');
      return;
    }
    if (row.source_type !== type) {
      ws.close(CLOSE_POLICY, 'Source type mismatch');
      return;
    }
    if (ws.readyState !== ws.OPEN) return;

    const now = this.opts.clock.now();
    const conn: OverlayConnection = {
      id: this.opts.ids.uuid(),
      communityId: row.community_id,
      sourceType: row.source_type,
      tokenSha256: sha256Hex(token),
      connectedAt: now,
      lastClientPingAt: now,
    };
    this.connections.set(ws, conn);
    ws.on('close', () => this.connections.delete(ws));
    ws.on('error', () => this.connections.delete(ws));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      void this.onMessage(ws, conn, String(data));
    });
    this.opts.logger.info('overlay connected', {
      connection_id: conn.id,
      community: conn.communityId,
      source_type: conn.sourceType,
    });
    this.send(ws, {
      type: 'connected',
      connection_id: conn.id,
      community_id: conn.communityId,
      source_type: conn.sourceType,
      timestamp: now.toISOString(),
    });
    try {
      for (const frame of await this.opts.replayFrames(conn.communityId, conn.sourceType))
        this.send(ws, frame);
    } catch (err) {
      this.opts.logger.error('overlay replay failed', { err });
    }
  }

  private async onMessage(ws: WebSocket, conn: OverlayConnection, raw: string) {
    let msg: unknown;
    try {
      msg = JSON.parse(raw);
    } catch {
      return; // §2.4: invalid JSON is ignored
    }
    if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return;
    const message = msg as Record<string, unknown>;
    const now = this.opts.clock.now();
    const log = { connection_id: conn.id, community: conn.communityId, source_type: conn.sourceType };
    switch (message.type) {
      case 'ping':
        conn.lastClientPingAt = now;
        this.send(ws, { type: 'pong', timestamp: now.toISOString() });
        return;
      case 'status':
        this.send(ws, {
          type: 'status',
          connection_id: conn.id,
          community_id: conn.communityId,
          source_type: conn.sourceType,
          connected_at: conn.connectedAt.toISOString(),
          uptime: Math.floor((now.getTime() - conn.connectedAt.getTime()) / 1000),
        });
        return;
      case 'analytics':
        this.opts.logger.debug('overlay analytics', {
          ...log,
          event_type: typeof message.event_type === 'string' ? message.event_type.slice(0, 50) : null,
        });
        return;
      case 'error':
        this.opts.logger.warn('overlay page reported an error', {
          ...log,
          error: String(message.error ?? '').slice(0, 500),
        });
        return;
      case 'form_submit':
        // Forwarding to the originating module is out of scope (§2.4); the fields may be personal.
        this.opts.logger.info('overlay form submitted', {
          ...log,
          fields:
            message.form_data && typeof message.form_data === 'object'
              ? Object.keys(message.form_data).length
              : 0,
        });
        return;
      default:
        if (this.opts.onClientEvent && typeof message.type === 'string') {
          try {
            await this.opts.onClientEvent(conn, message);
          } catch (err) {
            this.opts.logger.error('overlay client event failed', { ...log, err });
          }
          return;
        }
        this.opts.logger.warn('unknown overlay message', {
          ...log,
          message_type: String(message.type ?? '').slice(0, 50),
        });
    }
  }

  private send(ws: WebSocket, frame: Record<string, unknown>) {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  }

  /** Sends a frame to this replica's sockets of one community and type; returns how many. */
  deliver(communityId: number, sourceType: SourceType, frame: Record<string, unknown>): number {
    const payload = JSON.stringify(frame);
    let delivered = 0;
    for (const [ws, conn] of this.connections) {
      if (conn.communityId !== communityId || conn.sourceType !== sourceType) continue;
      if (ws.readyState !== ws.OPEN) continue;
      ws.send(payload);
      delivered += 1;
    }
    return delivered;
  }

  /** Closes every socket opened with a token that no longer resolves (regenerated or deleted). */
  revoke(tokenSha256: string): number {
    let closed = 0;
    for (const [ws, conn] of this.connections) {
      if (conn.tokenSha256 !== tokenSha256) continue;
      this.connections.delete(ws);
      ws.close(CLOSE_POLICY, 'Invalid token');
      closed += 1;
    }
    return closed;
  }

  /** Runs every 30 s: pings every socket and closes those whose page stopped pinging (§2.4). */
  sweep(): number {
    const cutoff = this.opts.clock.now().getTime() - this.opts.idleTimeoutSeconds * 1000;
    let closed = 0;
    for (const [ws, conn] of this.connections) {
      if (conn.lastClientPingAt.getTime() < cutoff) {
        this.connections.delete(ws);
        ws.close(CLOSE_GOING_AWAY, 'Idle timeout');
        closed += 1;
      } else if (ws.readyState === ws.OPEN) {
        ws.ping();
      }
    }
    return closed;
  }

  stats() {
    const byType = Object.fromEntries(SOURCE_TYPES.map((t) => [t, 0])) as Record<SourceType, number>;
    const byCommunity: Record<string, number> = {};
    for (const conn of this.connections.values()) {
      byType[conn.sourceType] += 1;
      byCommunity[String(conn.communityId)] = (byCommunity[String(conn.communityId)] ?? 0) + 1;
    }
    return { total_connections: this.connections.size, by_type: byType, by_community: byCommunity };
  }

  closeAll() {
    for (const ws of this.connections.keys()) ws.close(CLOSE_GOING_AWAY, 'Server shutting down');
    this.connections.clear();
  }
}
