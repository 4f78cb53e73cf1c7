import type { ActionFields, ModuleResponse } from '@waddlebot/core';
import { actionsOf, isOverlayForm } from './module-responses.js';
import type { RouterContext } from './router-deps.js';

const BROWSER_SOURCE_TIMEOUT_MS = 5000;

type OverlayAction = 'media' | 'ticker' | 'general' | 'form';

/** What browser source shows for each overlay action (§3.13), with the contracts §10 defaults. */
const DISPLAY_DATA: Record<OverlayAction, (f: ActionFields) => Record<string, unknown>> = {
  media: (f) => ({
    media_type: f.media_type,
    media_url: f.media_url,
    media_data: f.media_data,
    duration: f.duration ?? 30,
  }),
  ticker: (f) => ({
    ticker_text: f.ticker_text,
    ticker_duration: f.ticker_duration ?? 10,
    ticker_style: f.ticker_style,
  }),
  general: (f) => ({
    content: f.content,
    content_type: f.content_type ?? 'html',
    style: f.style,
    duration: f.duration ?? 0,
  }),
  form: (f) => ({
    content_type: 'form',
    form_title: f.form_title,
    form_description: f.form_description,
    form_fields: f.form_fields,
    form_submit_url: f.form_submit_url,
    form_submit_method: f.form_submit_method ?? 'POST',
    form_callback_url: f.form_callback_url,
  }),
};

/** A form shown on the overlay is a `general` source. */
const sourceType = (action: OverlayAction) => (action === 'form' ? 'general' : action);

/**
 * Sends `media`/`ticker`/`general` (and overlay forms) to browser source (§3.13). Fire-and-forget:
 * a failing browser source is logged and never fails the command.
 */
export function routeOverlays(
  ctx: RouterContext,
  res: ModuleResponse,
  input: { session_id: string | null; community_id: number; module_name: string | null },
) {
  const overlayForm = isOverlayForm(res);
  for (const { action, fields } of actionsOf(res)) {
    if (action === null || action === 'chat' || (action === 'form' && !overlayForm)) continue;
    const display = { source_type: sourceType(action), display_data: DISPLAY_DATA[action](fields) };
    void ctx.dependencies.call(
      'browser-source',
      () =>
        ctx.deps.serviceClient('browser-source').post(
          '/browser/source/display',
          {
            session_id: input.session_id,
            community_id: String(input.community_id),
            ...display,
            module_name: res.module_name ?? input.module_name,
          },
          { timeoutMs: BROWSER_SOURCE_TIMEOUT_MS, retries: 0 },
        ),
      { source_type: display.source_type },
    );
  }
}
