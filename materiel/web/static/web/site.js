// The little behaviour the pages need, kept out of the HTML so the CSP can forbid inline script.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) { window.print(); }
});
