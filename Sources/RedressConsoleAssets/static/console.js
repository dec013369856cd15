// Redress console: live updates only. Every page works without this script.
// On pages of people who work complaints, the person's page stream (/console/live, the same
// events as GET /v1/pages/stream) counts their open pages beside their name, and on the work queue
// and the page list it reloads the page's main part when a page arrives that is newer than what
// the page shows. The stream first sends the pages already open; those are not news.
(function () {
  "use strict";
  var body = document.body;
  var source = body && body.getAttribute("data-live");
  if (!source || typeof EventSource === "undefined") { return; }
  // When the server began reading what the page shows (its clock, as the pages' times are).
  var renderedAt = Number(body.getAttribute("data-rendered-at")) || 0;
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
          var page = new DOMParser().parseFromString(html, "text/html");
          var next = page.getElementById("main");
          var current = document.getElementById("main");
          if (next && current) {
            current.innerHTML = next.innerHTML;
            renderedAt = Math.max(renderedAt, Number(page.body.getAttribute("data-rendered-at")) || 0);
          }
        })
        .catch(function () { /* the next event tries again */ });
    }, 150);
  }

  var events = new EventSource(source);
  events.addEventListener("open", function () { body.setAttribute("data-live-state", "open"); });
  events.addEventListener("error", function () { body.setAttribute("data-live-state", "closed"); });
  events.addEventListener("page", function (event) {
    var page = null;
    try { page = JSON.parse(event.data); } catch (ignored) { return; }
    if (!page || !page.id) { return; }
    var known = open[page.id];
    open[page.id] = true;
    showCount();
    // A page written up to two seconds before the page was read may have committed after it.
    var created = Date.parse(page.createdAt);
    if (!known && !(created <= renderedAt - 2000)) { refresh(); }
  });
})();
