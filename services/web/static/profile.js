// PeerMatch profile forms: city suggestions as one types, and the browser's time zone for a
// new profile. The forms work without this file; it only helps.
"use strict";
(function () {
  var DEBOUNCE_MS = 200;

  function hasOption(select, value) {
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === value) { return true; }
    }
    return false;
  }

  function citySearch(city) {
    var list = document.getElementById(city.getAttribute("list"));
    var region = document.getElementById("region");
    var country = document.getElementById("country");
    var status = document.getElementById("city-status");
    var endpoint = city.getAttribute("data-places");
    var timer = null;
    var asked = 0;
    var found = [];

    function say(text) { if (status) { status.textContent = text; } }

    function show(places) {
      found = places;
      while (list.firstChild) { list.removeChild(list.firstChild); }
      places.forEach(function (place) {
        var option = document.createElement("option");
        option.value = place.label;
        list.appendChild(option);
      });
      say(places.length ? places.length + (places.length === 1 ? " place" : " places") +
        " found; use the arrow keys to choose." : "");
    }

    function ask() {
      var typed = city.value.trim();
      if (typed.length < 2) { show([]); return; }
      var query = "?q=" + encodeURIComponent(typed) + "&limit=8";
      if (country && country.value) { query += "&country=" + encodeURIComponent(country.value); }
      var mine = ++asked;
      fetch(endpoint + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (places) {
          // Only the answer to the latest question counts: older ones may arrive late.
          if (mine === asked && Array.isArray(places)) { show(places); }
        })
        .catch(function () { /* No suggestions: the form works without them. */ });
    }

    function chosen() {
      // A picked suggestion puts its label in the field: split it into city and region.
      for (var i = 0; i < found.length; i++) {
        var place = found[i];
        if (place.label === city.value) {
          city.value = place.city;
          if (region) { region.value = place.region || ""; }
          if (country && place.country && hasOption(country, place.country)) {
            country.value = place.country;
          }
          show([]);
          say("Chosen: " + place.label + ".");
          return true;
        }
      }
      return false;
    }

    city.addEventListener("input", function () {
      if (chosen()) { return; }
      if (region) { region.value = ""; }
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });
    city.addEventListener("change", chosen);
    city.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { show([]); }
    });
    if (country) { country.addEventListener("change", function () { show([]); }); }
  }

  function detectTimezone(select) {
    if (select.value) { return; }
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (zone && hasOption(select, zone)) { select.value = zone; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var city = document.querySelector("input[data-places]");
    if (city && window.fetch) { citySearch(city); }
    var zone = document.querySelector("select[data-detect-timezone]");
    if (zone) { detectTimezone(zone); }
  });
})();
