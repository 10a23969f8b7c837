// Behaviour that templates may not inline (CSP forbids inline script): confirmations on dangerous
// buttons and auto-submitting filter selects.
document.addEventListener('submit', function (e) {
  var msg = e.target.getAttribute('data-confirm');
  if (msg && !window.confirm(msg)) { e.preventDefault(); }
});
document.addEventListener('change', function (e) {
  if (e.target.matches('select[data-autosubmit]')) { e.target.form.submit(); }
});
