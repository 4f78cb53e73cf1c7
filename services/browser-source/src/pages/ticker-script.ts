/**
 * Ticker page: a local queue ordered by priority (lower first, FIFO within one), one message at a
 * time for its duration, scroll time max(15 s, 0.1 s × length), hidden 2 s after the queue empties,
 * a badge with the number waiting (core-and-admin §2.5).
 */
export const TICKER_SCRIPT = `
(function () {
  var O = window.WaddleOverlay;
  var ICONS = { urgent: '\\u{1F6A8}', info: '\\u2139\\uFE0F', success: '\\u2705', warning: '\\u26A0\\uFE0F', 'default': '\\u{1F4E2}' };
  var bar = document.getElementById('ticker');
  var icon = document.getElementById('ticker-icon');
  var text = document.getElementById('ticker-text');
  var badge = document.getElementById('ticker-badge');
  var queue = [];
  var seq = 0;
  var current = null;
  var hideTimer = null;
  function updateBadge() {
    badge.textContent = queue.length ? String(queue.length) : '';
    badge.hidden = queue.length === 0;
    bar.setAttribute('data-queued', String(queue.length));
  }
  function hide() {
    bar.className = 'ticker hidden';
    bar.setAttribute('data-state', 'hidden');
  }
  function show(frame) {
    var style = ICONS.hasOwnProperty(frame.style) ? frame.style : 'default';
    current = frame;
    clearTimeout(hideTimer);
    icon.textContent = ICONS[style];
    text.textContent = String(frame.text == null ? '' : frame.text);
    var scroll = Math.max(15, 0.1 * text.textContent.length);
    text.style.animation = 'none';
    void text.offsetWidth;
    text.style.animation = 'ticker-scroll ' + scroll + 's linear infinite';
    bar.className = 'ticker visible style-' + style;
    bar.setAttribute('data-state', 'visible');
    bar.setAttribute('data-priority', String(frame.priority));
    O.analytics('ticker_shown', { style: style, priority: frame.priority });
    var ms = Math.max(1, Number(frame.duration) || 10) * 1000;
    setTimeout(function () {
      O.analytics('ticker_hidden', { style: style });
      current = null;
      next();
    }, ms);
  }
  function next() {
    var item = queue.shift();
    updateBadge();
    if (!item) {
      hideTimer = setTimeout(hide, 2000);
      return;
    }
    show(item.frame);
  }
  O.start(function (frame) {
    queue.push({ frame: frame, seq: seq++, priority: Number(frame.priority) || 5 });
    queue.sort(function (a, b) { return a.priority - b.priority || a.seq - b.seq; });
    updateBadge();
    if (!current) next();
  });
})();
`;
