import type { ModuleResponse } from '@waddlebot/core';
import { actionsOf, isOverlayForm, type ActionItem } from './module-responses.js';
import type { RouterContext } from './router-deps.js';

const BROWSER_SOURCE_TIMEOUT_MS = 5000;

function displayData(
  item: ActionItem,
): { source_type: string; display_data: Record<string, unknown> } | null {
  const f = item.fields;
  switch (item.action) {
    case 'media':
      return {
        source_type: 'media',
        display_data: {
          media_type: f.media_type,
          media_url: f.media_url,
          media_data: f.media_data,
          duration: f.duration ?? 30,
        },
      };
    case 'ticker':
      return {
        source_type: 'ticker',
        display_data: {
          ticker_text: f.ticker_text,
          ticker_duration: f.ticker_duration ?? 10,
          ticker_style: f.ticker_style,
        },
      };
    case 'general':
      return {
        source_type: 'general',
        display_data: {
          content: f.content,
          content_type: f.content_type ?? 'html',
          style: f.style,
          duration: f.duration ?? 0,
        },
      };
    case 'form':
      return {
        source_type: 'general',
        display_data: {
          content_type: 'form',
          form_title: f.form_title,
          form_description: f.form_description,
          form_fields: f.form_fields,
          form_submit_url: f.form_submit_url,
          form_submit_method: f.form_submit_method ?? 'POST',
          form_callback_url: f.form_callback_url,
        },
      };
    default:
      return null;
  }
}

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
  for (const item of actionsOf(res)) {
    if (item.action === 'chat' || item.action === null) continue;
    if (item.action === 'form' && !overlayForm) continue;
    const display = displayData(item);
    if (!display) continue;
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
