// PeerMatch: small touches only; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // After a refused form, take keyboard and screen-reader users to what needs a look.
  var summary = document.querySelector("[data-focus]");
  if (summary) { summary.focus(); }
  // Ask once before something that cannot be undone.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
});
