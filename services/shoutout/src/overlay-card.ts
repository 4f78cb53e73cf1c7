import { escapeHtml, type ActionFields } from '@waddlebot/core';

export interface CardLink {
  label: string;
  url: string;
}

export function isWebUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Twitch requires the embedding page's domain as `parent`; keep whatever query the URL has. */
export function clipEmbedSrc(embedUrl: string, parentDomain: string): string | null {
  if (!isWebUrl(embedUrl)) return null;
  const url = new URL(embedUrl);
  url.searchParams.set('parent', parentDomain);
  return url.toString();
}

/** What the card plays: a Twitch clip or a YouTube short, by their embed URLs. */
export interface CardVideo {
  kind: 'twitch_clip' | 'youtube_short';
  src: string;
}

export interface CardInput {
  kind: 'shoutout' | 'auto-shoutout';
  /** The display the card ended up with (`twitch_clip`, `youtube_short` or `text`), for the overlay's styling. */
  theme: string;
  duration: number;
  title: string;
  message: string;
  video?: CardVideo | null;
  profileImageUrl?: string | null;
  links: CardLink[];
}

const VIDEO_CLASS: Record<CardVideo['kind'], string> = {
  twitch_clip: 'shoutout-clip',
  youtube_short: 'shoutout-short',
};

/**
 * The `general` overlay action (contracts §10). Every interpolated value is HTML-escaped, and
 * only http(s) URLs are placed in attributes.
 */
export function overlayCard(card: CardInput): ActionFields {
  const parts: string[] = [`<div class="waddlebot-${card.kind}">`];
  if (card.video && isWebUrl(card.video.src)) {
    // Shorts are portrait video; clips are landscape.
    const [width, height] = card.video.kind === 'youtube_short' ? [360, 640] : [640, 360];
    parts.push(
      `<iframe class="${VIDEO_CLASS[card.video.kind]}" src="${escapeHtml(card.video.src)}" width="${width}" height="${height}" frameborder="0" allow="autoplay" allowfullscreen></iframe>`,
    );
  } else if (card.profileImageUrl && isWebUrl(card.profileImageUrl)) {
    parts.push(`<img class="shoutout-avatar" src="${escapeHtml(card.profileImageUrl)}" alt="">`);
  }
  parts.push(`<h2 class="shoutout-title">${escapeHtml(card.title)}</h2>`);
  parts.push(`<p class="shoutout-message">${escapeHtml(card.message)}</p>`);
  const links = card.links.filter((l) => isWebUrl(l.url));
  if (links.length > 0) {
    parts.push(
      `<ul class="shoutout-links">${links
        .map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`)
        .join('')}</ul>`,
    );
  }
  parts.push('</div>');
  return {
    response_action: 'general',
    content_type: 'html',
    content: parts.join(''),
    duration: card.duration,
    style: { type: card.kind, theme: card.theme },
  };
}
