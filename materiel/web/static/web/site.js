// The little behaviour the pages need, kept out of the HTML so the CSP can forbid inline script.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
// "Select all on this page": ticks every box named by the header box's data-select-all in its form.
document.addEventListener("change", function (event) {
  var all = event.target.closest("[data-select-all]");
  if (!all) { return; }
  all.form.querySelectorAll('input[type=checkbox][name="' + all.dataset.selectAll + '"]').forEach(function (box) {
    box.checked = all.checked;
  });
});
// A form that was sent keeps its idempotency key when Back re-fetches the page and the browser
// refills the form (core/idempotency.py): browsers restore only the values that differ from what
// the page was drawn with, so the key is marked as sent (once) before the form goes.
document.addEventListener("submit", function (event) {
  event.target.querySelectorAll('input[name="idempotency_key"]').forEach(function (key) {
    if (!/\.sent$/.test(key.value)) { key.value = key.value + ".sent"; }
  });
}, true);
// "Tất cả đạt" of an inspection's results grid: ticks every pass box, then the exceptions are unticked.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-all-pass]");
  if (!button) { return; }
  button.form.querySelectorAll("input[type=checkbox][data-pass]").forEach(function (box) { box.checked = true; });
});
