// Redress console: live updates only. Every page works without this script.
// On pages of people who work complaints, the person's page stream (/console/live, the same
// events as GET /v1/pages/stream) keeps a count of open pages beside their name, and on the work
// queue and the page list it reloads the page's main part when a page arrives.
(function () {
  "use strict";
  var source = document.body && document.body.getAttribute("data-live");
  if (!source || typeof EventSource === "undefined") { return; }
  var open = {};
  var badge = document.querySelector("[data-pages-badge]");
  var refreshing = null;
  var refreshes = ["/console/queue", "/console/pages"];

  function showCount() {
    if (!badge) { return; }
    var count = Object.keys(open).length;
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }

  function refresh() {
    if (refreshes.indexOf(window.location.pathname) < 0) { return; }
    if (refreshing) { clearTimeout(refreshing); }
    refreshing = setTimeout(function () {
      refreshing = null;
      fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
          var current = document.getElementById("main");
          if (next && current) { current.innerHTML = next.innerHTML; }
        })
        .catch(function () { /* the next event tries again */ });
    }, 250);
  }

  var events = new EventSource(source);
  events.addEventListener("page", function (event) {
    try {
      var page = JSON.parse(event.data);
      if (page && page.id) { open[page.id] = true; }
    } catch (ignored) { /* a malformed event changes nothing */ }
    showCount();
    refresh();
  });
})();
