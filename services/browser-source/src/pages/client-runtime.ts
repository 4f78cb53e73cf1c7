/**
 * Browser-side code shared by the three overlay pages (core-and-admin §2.5): the socket with
 * reconnect 5 s after close/error, a `ping` every 30 s, `analytics` frames, and DOM helpers that
 * insert strings as text. Plain ES5 so any OBS browser runs it.
 */
export const CLIENT_RUNTIME = `
(function () {
  var cfg = JSON.parse(document.getElementById('overlay-config').textContent);
  var socket = null;
  var pingTimer = null;
  var reconnectTimer = null;
  var onFrame = null;
  function send(msg) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(msg));
  }
  function analytics(eventType, data) {
    send({ type: 'analytics', event_type: eventType, event_data: data || {} });
  }
  function scheduleReconnect() {
    if (reconnectTimer) return;
    reconnectTimer = setTimeout(connect, cfg.reconnect_ms);
  }
  function connect() {
    reconnectTimer = null;
    try {
      socket = new WebSocket(cfg.ws_url);
    } catch (e) {
      scheduleReconnect();
      return;
    }
    socket.onopen = function () {
      document.body.setAttribute('data-connection', 'open');
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: 'ping' }); }, cfg.ping_ms);
    };
    socket.onmessage = function (ev) {
      var msg;
      try { msg = JSON.parse(ev.data); } catch (e) { return; }
      if (!msg || typeof msg !== 'object') return;
      if (msg.type === 'connected') {
        document.body.setAttribute('data-connection', 'connected');
        document.body.setAttribute('data-connection-id', String(msg.connection_id));
        return;
      }
      if (msg.type !== cfg.source_type || !onFrame) return;
      try { onFrame(msg); } catch (e) { send({ type: 'error', error: String((e && e.message) || e) }); }
    };
    socket.onclose = function (ev) {
      document.body.setAttribute('data-connection', 'closed');
      document.body.setAttribute('data-close-code', String(ev.code));
      clearInterval(pingTimer);
      scheduleReconnect();
    };
    socket.onerror = function () { scheduleReconnect(); };
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function safeUrl(value) {
    if (typeof value !== 'string') return null;
    return /^https?:\\/\\//i.test(value) || /^data:image\\//i.test(value) ? value : null;
  }
  window.WaddleOverlay = {
    config: cfg,
    send: send,
    analytics: analytics,
    el: el,
    safeUrl: safeUrl,
    start: function (handler) { onFrame = handler; connect(); }
  };
})();
`;
