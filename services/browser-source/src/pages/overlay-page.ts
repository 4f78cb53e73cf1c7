import { escapeHtml } from '@waddlebot/core';
import type { SourceType } from '../source-types.js';
import { CLIENT_RUNTIME } from './client-runtime.js';
import { GENERAL_SCRIPT } from './general-script.js';
import { MEDIA_SCRIPT } from './media-script.js';
import { TICKER_SCRIPT } from './ticker-script.js';

export interface OverlayPageInput {
  sourceType: SourceType;
  wsUrl: string;
  /** False when the community switched this overlay off (browser_source_settings). */
  enabled: boolean;
  theme: string;
  customCss: string | null;
  reconnectMs: number;
  pingMs: number;
}

/** The socket URL the page opens: scheme and host from BASE_URL, never from the request (§2.5). */
export function overlaySocketUrl(baseUrl: string, token: string, sourceType: SourceType): string {
  const base = new URL(baseUrl);
  const scheme = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${base.host}${base.pathname.replace(/\/+$/, '')}/ws/${token}/${sourceType}`;
}

const BASE_CSS = `
html, body { margin: 0; padding: 0; background: transparent; overflow: hidden;
  font-family: 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; color: #fff; }
.hidden { opacity: 0; pointer-events: none; }
.visible { opacity: 1; }
`;

const CSS: Record<SourceType, string> = {
  ticker: `
.ticker { position: fixed; left: 0; right: 0; bottom: 0; height: 100px; display: flex; align-items: center;
  background: rgba(20, 20, 30, 0.85); transition: opacity 0.4s ease; }
.ticker.style-urgent { background: rgba(170, 20, 30, 0.9); }
.ticker.style-info { background: rgba(20, 90, 170, 0.9); }
.ticker.style-success { background: rgba(20, 130, 60, 0.9); }
.ticker.style-warning { background: rgba(190, 130, 0, 0.9); }
#ticker-icon { font-size: 40px; padding: 0 20px; flex: none; }
.ticker-window { overflow: hidden; flex: 1; white-space: nowrap; }
#ticker-text { display: inline-block; font-size: 40px; padding-left: 100%; }
#ticker-badge { flex: none; margin: 0 20px; min-width: 32px; padding: 4px 8px; border-radius: 16px;
  background: rgba(255, 255, 255, 0.25); text-align: center; font-size: 20px; }
@keyframes ticker-scroll { from { transform: translateX(0); } to { transform: translateX(-100%); } }
`,
  media: `
.media-card { position: fixed; right: 10px; bottom: 10px; width: 380px; min-height: 140px; padding: 14px;
  box-sizing: border-box; border-radius: 14px; background: rgba(18, 18, 24, 0.88); transition: opacity 0.6s ease; }
.media-head { font-size: 14px; opacity: 0.8; margin-bottom: 8px; }
.media-main { display: flex; gap: 12px; }
#media-art { width: 96px; height: 96px; flex: none; border-radius: 8px; overflow: hidden; background: #333;
  display: flex; align-items: center; justify-content: center; }
#media-art img { width: 100%; height: 100%; object-fit: cover; }
.media-art-fallback { font-size: 48px; }
#media-title { font-size: 20px; font-weight: bold; }
#media-artist, #media-album { font-size: 15px; opacity: 0.9; }
#media-requested { font-size: 12px; opacity: 0.7; margin-top: 6px; }
#media-progress { height: 4px; margin-top: 10px; background: rgba(255, 255, 255, 0.2); border-radius: 2px; }
#media-progress-fill { height: 100%; width: 0; background: #1db954; border-radius: 2px; }
`,
  general: `
.general { position: fixed; inset: 0; display: flex; align-items: center; justify-content: center;
  transition: opacity 0.5s ease; }
.panel { max-width: 1200px; min-width: 400px; border-radius: 16px; background: rgba(20, 20, 30, 0.9); overflow: hidden; }
.panel-header { padding: 16px 24px; font-size: 28px; font-weight: bold; background: rgba(255, 255, 255, 0.1); }
.panel-body { padding: 24px; font-size: 22px; }
.panel-announcement .panel-header { background: rgba(20, 90, 170, 0.9); }
.panel-alert .panel-header { background: rgba(170, 20, 30, 0.9); }
.panel-alert.variant-success .panel-header { background: rgba(20, 130, 60, 0.9); }
.panel-alert.variant-warning .panel-header { background: rgba(190, 130, 0, 0.9); }
.form-row { margin: 10px 0; display: flex; flex-direction: column; gap: 4px; }
.form-row.field-checkbox { flex-direction: row; align-items: center; }
.form-submit { margin-top: 12px; padding: 8px 20px; font-size: 18px; }
`,
};

const MARKUP: Record<SourceType, string> = {
  ticker: `<div id="ticker" class="ticker hidden" data-state="hidden"><span id="ticker-icon"></span>
<div class="ticker-window"><span id="ticker-text"></span></div><span id="ticker-badge" hidden></span></div>`,
  media: `<div id="media-card" class="media-card hidden" data-state="hidden">
<div class="media-head"><span id="media-icon"></span> <span id="media-service"></span></div>
<div class="media-main"><div id="media-art"></div><div class="media-info"><div id="media-title"></div>
<div id="media-artist"></div><div id="media-album"></div><div id="media-requested"></div></div></div>
<div id="media-progress" hidden><div id="media-progress-fill"></div></div></div>`,
  general: `<div id="general" class="general hidden" data-state="hidden"></div>`,
};

const SCRIPT: Record<SourceType, string> = {
  ticker: TICKER_SCRIPT,
  media: MEDIA_SCRIPT,
  general: GENERAL_SCRIPT,
};

/** JSON inside <script>: `<` escaped so no string in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Community CSS cannot leave its <style> element. */
function contained(css: string): string {
  return css.replace(/<\/?style/gi, '');
}

export function renderOverlayPage(input: OverlayPageInput): string {
  const title = `WaddleBot ${input.sourceType} overlay`;
  const theme = escapeHtml(input.theme.replace(/[^a-z0-9_-]/gi, '') || 'default');
  const head = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${BASE_CSS}${CSS[input.sourceType]}</style>
${input.customCss ? `<style id="custom-css">${contained(input.customCss)}</style>` : ''}
</head>`;
  if (!input.enabled)
    return `${head}<body class="overlay overlay-${input.sourceType} theme-${theme}" data-disabled="true"></body></html>`;
  const config = {
    source_type: input.sourceType,
    ws_url: input.wsUrl,
    reconnect_ms: input.reconnectMs,
    ping_ms: input.pingMs,
  };
  return `${head}<body class="overlay overlay-${input.sourceType} theme-${theme}" data-connection="connecting">
${MARKUP[input.sourceType]}
<script type="application/json" id="overlay-config">${scriptJson(config)}</script>
<script>${CLIENT_RUNTIME}</script>
<script>${SCRIPT[input.sourceType]}</script>
</body></html>`;
}
