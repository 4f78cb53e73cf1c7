/**
 * General page: renders by content_type — html (default), announcement, alert, form — and hides
 * after `duration` s when it is above 0 (core-and-admin §2.5). `content` arrives sanitised by the
 * server; every other string is inserted as text.
 */
export const GENERAL_SCRIPT = `
(function () {
  var O = window.WaddleOverlay;
  var TITLES = { html: 'Information', announcement: 'Announcement', alert: 'Alert', form: 'Form' };
  var FIELD_TYPES = ['text', 'email', 'password', 'number', 'textarea', 'select', 'checkbox'];
  var box = document.getElementById('general');
  var hideTimer = null;
  function hide(reason) {
    box.className = 'general hidden';
    box.setAttribute('data-state', 'hidden');
    O.analytics('general_hidden', { reason: reason });
  }
  function fieldFor(f, index) {
    var type = FIELD_TYPES.indexOf(f.type) >= 0 ? f.type : 'text';
    var id = 'field-' + index;
    var row = O.el('div', 'form-row field-' + type);
    var label = O.el('label', null, f.label || f.name);
    label.htmlFor = id;
    var input;
    if (type === 'textarea') {
      input = document.createElement('textarea');
    } else if (type === 'select') {
      input = document.createElement('select');
      (f.options || []).forEach(function (opt) {
        var o = document.createElement('option');
        o.value = String(typeof opt === 'object' ? opt.value : opt);
        o.textContent = String(typeof opt === 'object' ? (opt.label || opt.value) : opt);
        input.appendChild(o);
      });
    } else {
      input = document.createElement('input');
      input.type = type;
    }
    input.id = id;
    input.name = String(f.name);
    if (f.required) input.required = true;
    if (f.placeholder && type !== 'select' && type !== 'checkbox') input.placeholder = String(f.placeholder);
    if (f['default'] != null) {
      if (type === 'checkbox') input.checked = Boolean(f['default']);
      else input.value = String(f['default']);
    }
    if (type === 'checkbox') { row.appendChild(input); row.appendChild(label); }
    else { row.appendChild(label); row.appendChild(input); }
    return row;
  }
  function renderForm(body, data) {
    var form = O.el('form', 'overlay-form');
    form.id = 'overlay-form';
    if (data.description) form.appendChild(O.el('p', 'form-description', data.description));
    var fields = Array.isArray(data.fields) ? data.fields : [];
    fields.forEach(function (f, i) { form.appendChild(fieldFor(f, i)); });
    var submit = O.el('button', 'form-submit', data.submit_label || 'Submit');
    submit.type = 'submit';
    form.appendChild(submit);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var values = {};
      fields.forEach(function (f, i) {
        var input = document.getElementById('field-' + i);
        values[f.name] = input.type === 'checkbox' ? input.checked : input.value;
      });
      O.send({ type: 'form_submit', form_data: values });
      form.replaceWith(O.el('p', 'form-done', 'Submitted \\u2014 thank you!'));
    });
    body.appendChild(form);
  }
  function show(frame) {
    var type = TITLES.hasOwnProperty(frame.content_type) ? frame.content_type : 'html';
    var style = frame.style && typeof frame.style === 'object' ? frame.style : {};
    var data = frame.form_data && typeof frame.form_data === 'object' ? frame.form_data : {};
    clearTimeout(hideTimer);
    box.textContent = '';
    var variant = typeof style.type === 'string' ? style.type.replace(/[^a-z0-9_-]/gi, '') : '';
    var title = type === 'form' ? (data.title || style.title || TITLES.form) : (style.title || TITLES[type]);
    var panel = O.el('div', 'panel panel-' + type + (variant ? ' variant-' + variant : ''));
    panel.appendChild(O.el('div', 'panel-header', title));
    var body = O.el('div', 'panel-body');
    if (type === 'form') renderForm(body, data);
    else body.innerHTML = String(frame.content || '');
    panel.appendChild(body);
    box.appendChild(panel);
    box.className = 'general visible content-' + type;
    box.setAttribute('data-state', 'visible');
    box.setAttribute('data-content-type', type);
    O.analytics('general_shown', { content_type: type });
    var seconds = Number(frame.duration);
    if (seconds > 0) hideTimer = setTimeout(function () { hide('duration'); }, seconds * 1000);
  }
  O.start(show);
})();
`;
