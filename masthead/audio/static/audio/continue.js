// "Continue listening" on the home page for a reader who is not logged in: the narrations this
// browser began and did not finish, read from the player's local storage (the page itself is
// cached and the same for everyone). Logged-in readers get the list from the server instead.
(function () {
  "use strict";

  var section = document.querySelector("[data-continue-listening]");
  if (!section) return;
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
  var list = section.querySelector("[data-role=list]");
  entries.slice(0, 3).forEach(function (entry) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = entry.url;
    link.textContent = entry.title;
    var left = document.createElement("span");
    left.className = "continue-listening__left";
    left.textContent = " stopped at " + clock(entry.t);
    item.appendChild(link);
    item.appendChild(left);
    list.appendChild(item);
  });
  section.hidden = false;
})();
