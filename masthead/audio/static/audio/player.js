// The article audio player: custom controls over the native <audio>, chapters, speed, and
// resuming where the reader stopped (this browser's local storage; for a logged-in reader also the server,
// saved every few seconds while playing). Without this script the native controls still work.
(function () {
  "use strict";

  var STEP = 15;
  var SAVE_EVERY = 5; // seconds of playback between saves of the position
  var RATE_KEY = "masthead-audio:rate";

  function store(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) { /* private mode or storage full: resuming is a nicety */ }
  }

  function load(key) {
    try { return JSON.parse(window.localStorage.getItem(key)); } catch (error) { return null; }
  }

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var hours = Math.floor(seconds / 3600), minutes = Math.floor((seconds % 3600) / 60), rest = seconds % 60;
    var tail = (hours ? String(minutes).padStart(2, "0") : String(minutes)) + ":" + String(rest).padStart(2, "0");
    return hours ? hours + ":" + tail : tail;
  }

  function spoken(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    var minutes = Math.floor(seconds / 60), rest = seconds % 60, parts = [];
    if (minutes) parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    if (rest || !minutes) parts.push(rest + (rest === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }

  function setUp(player) {
    var audio = player.querySelector("audio");
    var controls = player.querySelector("[data-role=controls]");
    var toggle = player.querySelector("[data-action=toggle]");
    var toggleIcon = player.querySelector("[data-role=toggle-icon]");
    var seek = player.querySelector("[data-role=seek]");
    var time = player.querySelector("[data-role=time]");
    var speed = player.querySelector("[data-role=speed]");
    var resume = player.querySelector("[data-role=resume]");
    var resumeText = player.querySelector("[data-role=resume-text]");
    var chapterList = player.querySelector("[data-role=chapters]");
    var chapters = Array.prototype.slice.call(player.querySelectorAll("[data-action=chapter]"));
    var help = player.querySelector("[data-role=help]");
    var positionKey = "masthead-audio:" + player.dataset.article;
    var duration = parseFloat(player.dataset.duration) || 0;
    var lastSaved = 0;
    var seeking = false;
    var csrfToken = null; // from the position address: the page itself is shared by many readers

    audio.removeAttribute("controls");
    controls.hidden = false;
    if (help) help.hidden = false;
    if (chapterList) chapterList.hidden = false;

    function total() { return isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration; }

    function jump(seconds) {
      audio.currentTime = Math.min(Math.max(0, seconds), Math.max(0, total() - 0.1));
      showPosition();
    }

    function showPlaying() {
      var playing = !audio.paused && !audio.ended;
      toggle.setAttribute("aria-label", playing ? "Pause" : "Play");
      toggleIcon.innerHTML = playing ? "&#10074;&#10074;" : "&#9654;";
    }

    function showPosition() {
      var now = audio.currentTime;
      if (!seeking) seek.value = Math.floor(now);
      seek.setAttribute("aria-valuetext", spoken(now) + " of " + spoken(total()));
      time.textContent = clock(now) + " / " + clock(total());
      chapters.forEach(function (button) {
        var current = now >= parseFloat(button.dataset.start) && now < parseFloat(button.dataset.end);
        if (current) button.setAttribute("aria-current", "true");
        else button.removeAttribute("aria-current");
      });
    }

    // A logged-in reader's place also goes to the server, so their other devices resume there too.
    function sendPosition(seconds) {
      if (!player.dataset.positionUrl || !csrfToken || !window.fetch) return;
      var body = new URLSearchParams({ position: seconds.toFixed(3), version: player.dataset.version });
      window.fetch(player.dataset.positionUrl, {
        method: "POST", body: body, credentials: "same-origin", keepalive: true,
        headers: { "X-CSRFToken": csrfToken }
      }).catch(function () { /* offline: the next save carries the place */ });
    }

    function savePosition(force) {
      var now = audio.currentTime;
      if (!force && Math.abs(now - lastSaved) < SAVE_EVERY) return;
      lastSaved = now;
      var half = now > 5 && now < total() - 10;
      store(positionKey, half ? {
        t: now, v: player.dataset.version, d: total(), s: Date.now(),
        title: player.dataset.title, url: player.dataset.url
      } : null);
      sendPosition(now);
    }

    function togglePlay() {
      if (audio.paused || audio.ended) {
        var started = audio.play();
        if (started && started.catch) started.catch(function () { showPlaying(); });
      } else {
        audio.pause();
      }
    }

    toggle.addEventListener("click", togglePlay);
    player.querySelector("[data-action=back]").addEventListener("click", function () { jump(audio.currentTime - STEP); });
    player.querySelector("[data-action=forward]").addEventListener("click", function () { jump(audio.currentTime + STEP); });
    seek.addEventListener("input", function () { seeking = true; time.textContent = clock(seek.value) + " / " + clock(total()); });
    seek.addEventListener("change", function () { seeking = false; jump(parseFloat(seek.value)); });
    speed.addEventListener("change", function () {
      audio.playbackRate = parseFloat(speed.value);
      store(RATE_KEY, audio.playbackRate);
    });
    chapters.forEach(function (button) {
      button.addEventListener("click", function () {
        jump(parseFloat(button.dataset.start));
        if (audio.paused) togglePlay();
      });
    });
    player.querySelector("[data-action=restart]").addEventListener("click", function () {
      jump(0);
      resume.hidden = true;
      store(positionKey, null);
      toggle.focus();
    });

    // Keyboard: k toggles, j and l step, while focus is in the player (not while choosing a speed).
    player.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.target === speed) return;
      var key = event.key.toLowerCase();
      if (key === "k") { togglePlay(); event.preventDefault(); }
      else if (key === "j") { jump(audio.currentTime - STEP); event.preventDefault(); }
      else if (key === "l") { jump(audio.currentTime + STEP); event.preventDefault(); }
    });

    audio.addEventListener("play", showPlaying);
    audio.addEventListener("pause", function () { showPlaying(); savePosition(true); });
    audio.addEventListener("ended", function () { showPlaying(); store(positionKey, null); sendPosition(total()); });
    audio.addEventListener("timeupdate", function () { showPosition(); savePosition(false); });
    audio.addEventListener("durationchange", function () { seek.max = Math.floor(total()); showPosition(); });
    audio.addEventListener("ratechange", function () { speed.value = String(audio.playbackRate); });

    var rate = load(RATE_KEY);
    if (rate >= 0.75 && rate <= 2) {
      audio.playbackRate = rate;
      speed.value = String(rate);
    }
    function resumeAt(saved) {
      if (saved && saved.v === player.dataset.version && saved.t > 5 && saved.t < total() - 10 && !audio.currentTime) {
        audio.currentTime = saved.t;
        lastSaved = saved.t;
        resumeText.textContent = "Resuming where you stopped, at " + clock(saved.t) + ".";
        resume.hidden = false;
        showPosition();
      }
    }

    showPlaying();
    showPosition();
    if (player.dataset.positionUrl && window.fetch) {
      // A logged-in reader's place comes from the server, from whichever device played last (none
      // when they finished it there); the answer also brings the token that saves the next one.
      window.fetch(player.dataset.positionUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer) { resumeAt(load(positionKey)); return; }
          csrfToken = answer.csrf;
          if (answer.version !== player.dataset.version) resumeAt(load(positionKey)); // nothing saved for this narration there
          else resumeAt(answer.position ? { t: answer.position, v: answer.version } : null); // null: finished elsewhere
        })
        .catch(function () { resumeAt(load(positionKey)); });
    } else {
      resumeAt(load(positionKey));
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-audio-player]"), setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
