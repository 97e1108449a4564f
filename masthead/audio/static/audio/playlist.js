// An issue's playlist: one <audio> plays the narrations in order, the next one when one ends.
// Without this script each article's MP3 link still works.
(function () {
  "use strict";

  var playlist = document.querySelector("[data-issue-playlist]");
  if (!playlist) return;
  var audio = playlist.querySelector("[data-role=audio]");
  var now = playlist.querySelector("[data-role=now]");
  var buttons = Array.prototype.slice.call(playlist.querySelectorAll("[data-action=play]"));
  var current = -1;

  function play(index) {
    if (index < 0 || index >= buttons.length) return;
    current = index;
    buttons.forEach(function (button, number) {
      if (number === index) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    });
    audio.src = buttons[index].dataset.src;
    now.textContent = "Now playing " + (index + 1) + " of " + buttons.length + ": " + buttons[index].dataset.title;
    var started = audio.play();
    if (started && started.catch) started.catch(function () { /* the reader presses play */ });
  }

  buttons.forEach(function (button, index) {
    button.addEventListener("click", function () { play(index); });
  });
  audio.addEventListener("ended", function () { play(current + 1); });
  audio.addEventListener("play", function () { if (current < 0) play(0); });
  if (buttons.length) {
    audio.src = buttons[0].dataset.src;
    current = 0;
    buttons[0].setAttribute("aria-current", "true");
    now.textContent = "First: " + buttons[0].dataset.title;
  }
})();
