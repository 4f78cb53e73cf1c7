/**
 * Media page: the now-playing card (service, title, artist, album, artwork or a fallback glyph,
 * requester), a progress bar for Spotify advanced every second, fade in, hide after `duration`
 * s (core-and-admin §2.5). For YouTube tracks with a known length it reports the end of the track
 * over the socket (contracts §17.6).
 */
export const MEDIA_SCRIPT = `
(function () {
  var O = window.WaddleOverlay;
  var SERVICES = { spotify: ['\\u{1F3B5}', 'Spotify'], youtube: ['\\u25B6\\uFE0F', 'YouTube'], soundcloud: ['\\u2601\\uFE0F', 'SoundCloud'],
    apple_music: ['\\u{1F34E}', 'Apple Music'], twitch_clip: ['\\u{1F3AC}', 'Twitch Clip'], image: ['\\u{1F5BC}\\uFE0F', 'Image'], video: ['\\u{1F3AC}', 'Video'] };
  var card = document.getElementById('media-card');
  var hideTimer = null, progressTimer = null, trackEndTimer = null;
  function byId(id) { return document.getElementById(id); }
  function artistOf(d) {
    if (d.artist) return String(d.artist);
    if (Array.isArray(d.artists)) return d.artists.map(function (a) { return typeof a === 'string' ? a : (a && a.name) || ''; }).filter(Boolean).join(', ');
    return d.artists ? String(d.artists) : '';
  }
  function hide(reason) {
    card.className = 'media-card hidden';
    card.setAttribute('data-state', 'hidden');
    clearInterval(progressTimer);
    O.analytics('media_hidden', { reason: reason });
  }
  function show(frame) {
    var d = frame.media_data && typeof frame.media_data === 'object' ? frame.media_data : {};
    var type = String(frame.media_type || 'image');
    var service = SERVICES[type] || ['\\u{1F3B5}', d.service ? String(d.service) : type];
    clearTimeout(hideTimer); clearInterval(progressTimer); clearTimeout(trackEndTimer);
    byId('media-icon').textContent = service[0];
    byId('media-service').textContent = service[1];
    byId('media-title').textContent = String(d.title || d.track_name || '');
    byId('media-artist').textContent = artistOf(d);
    byId('media-album').textContent = d.album ? String(d.album) : '';
    byId('media-requested').textContent = 'Requested by ' + String(d.requested_by || 'System');
    var artUrl = O.safeUrl(d.album_art || d.thumbnail || d.album_art_url);
    var art = byId('media-art');
    art.textContent = '';
    if (artUrl) {
      var img = document.createElement('img');
      img.src = artUrl;
      img.alt = '';
      art.appendChild(img);
    } else {
      art.appendChild(O.el('span', 'media-art-fallback', '\\u266B'));
    }
    var progress = byId('media-progress');
    var fill = byId('media-progress-fill');
    var pos = Number(d.progress), total = Number(d.duration);
    if (type === 'spotify' && pos >= 0 && total > 0 && d.progress != null) {
      progress.hidden = false;
      var draw = function () { fill.style.width = Math.min(100, (pos / total) * 100) + '%'; fill.setAttribute('data-progress-ms', String(pos)); };
      draw();
      progressTimer = setInterval(function () { pos = Math.min(total, pos + 1000); draw(); }, 1000);
    } else {
      progress.hidden = true;
    }
    card.className = 'media-card visible media-' + type.replace(/[^a-z0-9_-]/gi, '');
    card.setAttribute('data-state', 'visible');
    O.analytics('media_shown', { media_type: type });
    var seconds = Number(frame.duration);
    if (seconds > 0) hideTimer = setTimeout(function () { hide('duration'); }, seconds * 1000);
    var trackMs = Number(d.duration_ms);
    if (type === 'youtube' && typeof d.video_id === 'string' && trackMs > 0) {
      var startedAt = typeof d.started_at === 'string' ? d.started_at : frame.timestamp;
      var remaining = Math.max(0, Math.min(trackMs, trackMs - (Date.now() - Date.parse(startedAt))));
      trackEndTimer = setTimeout(function () {
        O.send({ type: 'track_ended', video_id: d.video_id, started_at: startedAt });
      }, remaining);
    }
  }
  O.start(show);
})();
`;
