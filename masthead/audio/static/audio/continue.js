// "Continue listening" on the home page: the narrations this reader began and did not finish. The
// page is shared by every reader of its audience, so the list is filled in here: a logged-in
// reader's from the server (data-source: every device), anyone else's from this browser's storage.
(function () {
  "use strict";

  var section = document.querySelector("[data-continue-listening]");
  if (!section) return;
  var list = section.querySelector("[data-role=list]");

  function show(title, url, text) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = url;
    link.textContent = title;
    var left = document.createElement("span");
    left.className = "continue-listening__left";
    left.textContent = " " + text;
    item.appendChild(link);
    item.appendChild(left);
    list.appendChild(item);
    section.hidden = false;
  }

  if (section.dataset.source) {
    if (!window.fetch) return;
    window.fetch(section.dataset.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { positions: [] }; })
      .then(function (answer) {
        answer.positions.forEach(function (position) {
          show(position.title, position.url, "stopped at " + position.at + ", " + position.left + " left");
        });
      })
      .catch(function () { /* offline: no list */ });
    return;
  }

  var entries = [];
  try {
    for (var index = 0; index < window.localStorage.length; index++) {
      var key = window.localStorage.key(index);
      if (!/^masthead-audio:\d+$/.test(key)) continue;
      var entry = JSON.parse(window.localStorage.getItem(key));
      // Only our own pages: a path on this site, never another origin or a script URL.
      if (entry && entry.title && typeof entry.url === "string" && /^\/(?!\/)/.test(entry.url) && entry.t > 5) {
        entries.push(entry);
      }
    }
  } catch (error) { return; }
  if (!entries.length) return;

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  entries.sort(function (a, b) { return (b.s || 0) - (a.s || 0); });
  entries.slice(0, 3).forEach(function (entry) { show(entry.title, entry.url, "stopped at " + clock(entry.t)); });
})();
