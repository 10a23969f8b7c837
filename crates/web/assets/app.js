// Behaviour that templates may not inline (CSP forbids inline script): confirmations on dangerous
// buttons and auto-submitting filter selects.
// In the capture phase, so that a declined confirmation also stops a form htmx would send.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); e.stopPropagation(); }
}, true);
document.addEventListener('change', function (e) {
  if (e.target.matches('select[data-autosubmit], input[data-autosubmit]')) { e.target.form.submit(); }
});
// A form marked data-once cannot be sent twice by a double click; the server also deduplicates
// by the form's idempotency key.
document.addEventListener('submit', function (e) {
  if (e.defaultPrevented || !e.target.hasAttribute('data-once')) { return; }
  if (e.target.dataset.sent) { e.preventDefault(); return; }
  e.target.dataset.sent = '1';
});
// The case page's actions post with htmx and get back only the panels they changed (see
// web/src/ui/case/panel.rs). What the user typed in another panel, and which sections they had
// opened, survives the swap; the form that was sent shows what the server answered.
(function () {
  var sent = null;
  document.addEventListener('htmx:beforeRequest', function (e) {
    sent = e.detail.elt.closest('form');
  });
  function action(el) {
    var f = el.closest('form');
    return f ? f.getAttribute('action') : '';
  }
  function dirty(el) {
    if (el.type === 'checkbox' || el.type === 'radio') { return el.checked !== el.defaultChecked; }
    if (el.tagName === 'SELECT') {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }
  // The same field in the new panel: by id, else by name within a form to the same address.
  function twin(el, fresh) {
    if (el.id) { return fresh.querySelector('#' + CSS.escape(el.id)); }
    var same = fresh.querySelectorAll('[name="' + CSS.escape(el.name) + '"]');
    return Array.prototype.find.call(same, function (x) { return action(x) === action(el); }) || null;
  }
  document.addEventListener('htmx:oobBeforeSwap', function (e) {
    var old = e.detail.target, fresh = e.detail.fragment;
    if (!old || !fresh) { return; }
    old.querySelectorAll('input:not([type=hidden]):not([type=file]), textarea, select').forEach(function (el) {
      if ((sent && sent.contains(el)) || !dirty(el)) { return; }
      var t = twin(el, fresh);
      if (!t) { return; }
      if (el.type === 'checkbox' || el.type === 'radio') {
        t.checked = el.checked;
      } else if (el.tagName === 'SELECT') {
        Array.prototype.forEach.call(t.options, function (o) {
          o.selected = Array.prototype.some.call(el.options, function (x) { return x.selected && x.value === o.value; });
        });
      } else {
        t.value = el.value;
      }
    });
    var was = old.querySelectorAll('details'), now = fresh.querySelectorAll('details');
    if (was.length === now.length) {
      was.forEach(function (d, i) { if (d.open && !(sent && d.contains(sent))) { now[i].open = true; } });
    }
  });
  document.addEventListener('htmx:afterSettle', function () {
    // A refused form comes back with its fields marked: the first one gets the focus.
    var form = sent && document.querySelector('form[action="' + CSS.escape(sent.getAttribute('action') || '') + '"]');
    var bad = form && form.querySelector('.is-invalid');
    if (bad) { bad.focus(); }
    document.querySelectorAll('#case-toast [data-autohide]').forEach(function (a) {
      setTimeout(function () { a.remove(); }, 6000);
    });
  });
  // An answer that is not a form's (403, 404, 413, a server error) is shown as the page it is.
  document.addEventListener('htmx:responseError', function (e) {
    document.open();
    document.write(e.detail.xhr.responseText);
    document.close();
  });
  document.addEventListener('htmx:sendError', function () {
    var t = document.getElementById('case-toast');
    if (t) {
      t.innerHTML = '<div class="alert alert-danger shadow">' +
        (document.documentElement.lang === 'en' ? 'The network failed; nothing was sent. Try again.' : '网络连接失败，未能提交，请重试。') +
        '</div>';
    }
  });
})();
// A step of the case page that another panel gives (the reply, the risk assessment) opens that
// panel's form and puts the cursor in it.
document.addEventListener('click', function (e) {
  var a = e.target.closest('a[data-open]');
  if (!a || a.classList.contains('disabled')) { return; }
  var target = document.getElementById(a.getAttribute('data-open'));
  if (!target) { return; }
  e.preventDefault();
  var d = target.matches('details') ? target : target.querySelector('details');
  if (d) { d.open = true; }
  target.scrollIntoView({ block: 'start' });
  var field = (d || target).querySelector('textarea, input:not([type=hidden]), select');
  if (field) { field.focus({ preventScroll: true }); }
});
// A page that comes back with an error puts it first: the alert at the top takes the focus, so a
// screen reader reads it and the keyboard starts from it.
document.addEventListener('DOMContentLoaded', function () {
  var el = document.querySelector('[data-focus]');
  if (el) { el.focus(); }
});
// The reply form's template: choosing one puts its draft (already filled in for the case) in the
// text and sets the reply kind it belongs to.
document.addEventListener('change', function (e) {
  if (!e.target.matches('select[data-drafts]')) { return; }
  var o = e.target.selectedOptions[0], f = e.target.form;
  if (!o || !f) { return; }
  var body = f.querySelector('textarea[name=body]'), kind = f.querySelector('select[name=kind]');
  if (body) { body.value = o.getAttribute('data-body') || ''; }
  if (kind && kind.querySelector('option[value="' + CSS.escape(o.getAttribute('data-kind') || '') + '"]')) {
    kind.value = o.getAttribute('data-kind');
  }
});
// A menu follows another: a grid menu its village menu, an agency menu its kind filter. Groups and
// options keyed by data-key are offered only when the key is the one chosen (or nothing is); a group
// whose options are all put away goes too.
(function () {
  function follow(menu) {
    var by = document.getElementById(menu.getAttribute('data-follows'));
    if (!by) { return; }
    menu.querySelectorAll('[data-key]').forEach(function (el) {
      var mine = !by.value || el.getAttribute('data-key') === by.value;
      el.hidden = !mine;
      el.disabled = !mine;
    });
    menu.querySelectorAll('optgroup:not([data-key])').forEach(function (g) {
      var any = g.querySelector('option:not([disabled])');
      g.hidden = !any;
      g.disabled = !any;
    });
    var chosen = menu.selectedOptions[0];
    if (chosen && (chosen.disabled || chosen.parentElement.disabled)) { menu.value = ''; }
  }
  document.addEventListener('change', function (e) {
    document.querySelectorAll('select[data-follows="' + CSS.escape(e.target.id || '') + '"]').forEach(follow);
  });
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('select[data-follows]').forEach(follow);
  });
})();
// Signing out on a shared phone also drops the visit log page kept for offline use (the queue of
// unsent logs stays: it is only ever sent with its owner's session).
document.addEventListener('submit', function (e) {
  var action = e.target.getAttribute('action');
  if (action === '/logout' && window.caches) {
    window.caches.keys().then(function (keys) {
      keys.filter(function (k) { return k.indexOf('gongzhi-grid') === 0; }).forEach(function (k) { window.caches.delete(k); });
    });
  }
});
