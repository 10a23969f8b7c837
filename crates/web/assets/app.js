// Behaviour that templates may not inline (CSP forbids inline script): confirmations on dangerous
// buttons and auto-submitting filter selects.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
document.addEventListener('change', function (e) {
  if (e.target.matches('select[data-autosubmit]')) { e.target.form.submit(); }
});
// A form marked data-once cannot be sent twice by a double click; the server also deduplicates
// by the form's idempotency key.
document.addEventListener('submit', function (e) {
  if (e.defaultPrevented || !e.target.hasAttribute('data-once')) { return; }
  if (e.target.dataset.sent) { e.preventDefault(); return; }
  e.target.dataset.sent = '1';
});
