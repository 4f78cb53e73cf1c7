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

export interface CardInput {
  kind: 'shoutout' | 'auto-shoutout';
  /** The configured display type, shown to the overlay as the theme. */
  theme: string;
  duration: number;
  title: string;
  message: string;
  clipSrc?: string | null;
  profileImageUrl?: string | null;
  links: CardLink[];
}

/**
 * The `general` overlay action (contracts §10). Every interpolated value is HTML-escaped, and
 * only http(s) URLs are placed in attributes.
 */
export function overlayCard(card: CardInput): ActionFields {
  const parts: string[] = [`<div class="waddlebot-${card.kind}">`];
  if (card.clipSrc) {
    parts.push(
      `<iframe class="shoutout-clip" src="${escapeHtml(card.clipSrc)}" width="640" height="360" frameborder="0" allow="autoplay" allowfullscreen></iframe>`,
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
