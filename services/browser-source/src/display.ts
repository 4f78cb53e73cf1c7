import { z } from 'zod';
import { sanitizeOverlayHtml } from './html-sanitizer.js';
import type { SourceType } from './source-types.js';

export interface DisplayLimits {
  maxTickerLength: number;
  defaultTickerDuration: number;
  defaultMediaDuration: number;
}

export const TICKER_STYLES = ['default', 'urgent', 'info', 'success', 'warning'] as const;
export const GENERAL_CONTENT_TYPES = ['html', 'announcement', 'alert', 'form'] as const;
export const FORM_FIELD_TYPES = [
  'text',
  'email',
  'password',
  'number',
  'textarea',
  'select',
  'checkbox',
] as const;

/** Modules (through the router) send `null` for fields they leave unset; null means "default". */
const unset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());

const seconds = z.coerce.number().int('must be a whole number of seconds').min(0).max(86_400);
const httpUrl = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\//i.test(v), 'must be an http(s) URL');

const TickerData = (limits: DisplayLimits) =>
  z.object({
    ticker_text: z
      .string({ error: 'Required' })
      .transform((v) => v.trim().slice(0, limits.maxTickerLength))
      .refine((v) => v.length > 0, 'must not be blank'),
    ticker_duration: unset(seconds.min(1)),
    ticker_style: unset(z.enum(TICKER_STYLES)),
    priority: unset(z.coerce.number().int().min(1).max(10)),
  });

const MediaData = z.object({
  media_type: unset(
    z
      .string()
      .trim()
      .regex(/^[a-z0-9_-]{1,40}$/i, 'must be a media type such as spotify, youtube or image'),
  ),
  media_url: unset(httpUrl),
  media_data: unset(z.record(z.string(), z.unknown())),
  duration: unset(seconds),
});

const FormField = z.object({
  name: z.string().min(1).max(100),
  label: unset(z.string().max(200)),
  type: unset(z.enum(FORM_FIELD_TYPES)),
  required: unset(z.boolean()),
  placeholder: unset(z.string().max(200)),
  options: unset(
    z
      .array(
        z.union([
          z.string().max(200),
          z.object({ value: z.union([z.string(), z.number()]), label: unset(z.string().max(200)) }),
        ]),
      )
      .max(50),
  ),
  default: unset(z.union([z.string().max(1000), z.number(), z.boolean()])),
});
const FormData = z.object({
  title: unset(z.string().max(200)),
  description: unset(z.string().max(2000)),
  fields: unset(z.array(FormField).max(30)),
  submit_label: unset(z.string().max(50)),
});

const GeneralData = z.object({
  content_type: unset(z.enum(GENERAL_CONTENT_TYPES)),
  content: unset(z.string().max(60_000)),
  style: unset(z.looseObject({ title: unset(z.string().max(200)), type: unset(z.string().max(50)) })),
  form_data: unset(FormData),
  duration: unset(seconds),
  // The router's overlay forms (router-and-receivers §3.13) carry the form as flat fields.
  form_title: unset(z.string().max(200)),
  form_description: unset(z.string().max(2000)),
  form_fields: unset(z.array(FormField).max(30)),
});

export type NormalisedDisplay = Record<string, unknown> & { duration: number };

/**
 * Validates one type's display_data and applies the defaults of core-and-admin §2.3. The result
 * is what history stores and what frames are built from, so replays and live frames agree.
 */
export function normaliseDisplayData(
  sourceType: SourceType,
  data: Record<string, unknown>,
  limits: DisplayLimits,
): { ok: true; value: NormalisedDisplay } | { ok: false; issues: z.core.$ZodIssue[] } {
  switch (sourceType) {
    case 'ticker': {
      const r = TickerData(limits).safeParse(data);
      if (!r.success) return { ok: false, issues: r.error.issues };
      return {
        ok: true,
        value: {
          ticker_text: r.data.ticker_text,
          duration: r.data.ticker_duration ?? limits.defaultTickerDuration,
          ticker_style: r.data.ticker_style ?? 'default',
          priority: r.data.priority ?? 5,
        },
      };
    }
    case 'media': {
      const r = MediaData.safeParse(data);
      if (!r.success) return { ok: false, issues: r.error.issues };
      return {
        ok: true,
        value: {
          media_type: (r.data.media_type ?? 'image').toLowerCase(),
          media_url: r.data.media_url ?? null,
          media_data: r.data.media_data ?? {},
          duration: r.data.duration ?? limits.defaultMediaDuration,
        },
      };
    }
    case 'general': {
      const r = GeneralData.safeParse(data);
      if (!r.success) return { ok: false, issues: r.error.issues };
      const d = r.data;
      const contentType = d.content_type ?? 'html';
      const formData =
        contentType === 'form'
          ? (d.form_data ?? {
              title: d.form_title,
              description: d.form_description,
              fields: d.form_fields ?? [],
            })
          : undefined;
      return {
        ok: true,
        value: {
          content_type: contentType,
          content: sanitizeOverlayHtml(d.content ?? ''),
          style: d.style ?? {},
          ...(formData ? { form_data: formData } : {}),
          duration: d.duration ?? 0,
        },
      };
    }
  }
}

/** The WebSocket frame of core-and-admin §2.3 for a stored (normalised) display. */
export function displayFrame(
  sourceType: SourceType,
  content: Record<string, unknown>,
  createdAt: Date,
): Record<string, unknown> {
  const timestamp = createdAt.toISOString();
  switch (sourceType) {
    case 'ticker':
      return {
        type: 'ticker',
        text: content.ticker_text,
        duration: content.duration,
        style: content.ticker_style,
        priority: content.priority,
        timestamp,
      };
    case 'media':
      return {
        type: 'media',
        media_type: content.media_type,
        media_url: content.media_url,
        media_data: content.media_data,
        duration: content.duration,
        timestamp,
      };
    case 'general':
      return {
        type: 'general',
        content_type: content.content_type,
        content: content.content,
        style: content.style,
        ...(content.form_data ? { form_data: content.form_data } : {}),
        duration: content.duration,
        timestamp,
      };
  }
}
