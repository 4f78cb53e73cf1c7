import type { Logger } from '@waddlebot/core';
import type { AssertOverlayAdmin } from './admin-access.js';
import type { CommunityLookups } from './community-client.js';
import type { DisplayLimits } from './display.js';
import type { FrameBus } from './frame-bus.js';
import type { DeliveryDeps } from './overlay-delivery.js';
import type { OverlaySockets } from './overlay-sockets.js';
import type { TokenDeps } from './tokens.js';

/** What the routes of this service share, built once in `routes()`. */
export interface BrowserSourceContext {
  tokens: TokenDeps;
  delivery: DeliveryDeps;
  sockets: OverlaySockets;
  bus: FrameBus;
  community: CommunityLookups;
  assertOverlayAdmin: AssertOverlayAdmin;
  limits: DisplayLimits;
  logger: Logger;
}
