// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts and handlers (script-src 'self').

// <select data-kam-autosubmit>: choosing an option submits its form (the language switch).
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-kam-autosubmit]");
  if (field && field.form) field.form.requestSubmit();
});
