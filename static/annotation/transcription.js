// Transcription widget: audio player with speed buttons and shortcuts that work while typing:
// Ctrl+Space play/pause, Ctrl+, back 5 s, Ctrl+. forward 5 s, Ctrl+[ slower, Ctrl+] faster.
(function () {
  "use strict";
  var LA = window.LoopworkAnnotation;
  var SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
  LA.register("transcription", function (api) {
    var audio = api.part("[data-annot-audio]");
    var area = api.part("[data-annot-textarea]");
    var speedBox = api.part("[data-annot-speeds]");
    var speedButtons = api.parts("[data-annot-speed]");

    function sync() { api.setAnswer({ text: area.value }); }

    function setSpeed(rate) {
      if (!audio) return;
      audio.playbackRate = rate;
      speedButtons.forEach(function (button) {
        var on = Number(button.getAttribute("data-annot-speed")) === rate;
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }

    function seek(seconds) {
      if (!audio) return;
      var end = isFinite(audio.duration) ? audio.duration : Infinity;
      audio.currentTime = Math.max(0, Math.min(end, audio.currentTime + seconds));
    }

    function toggle() {
      if (!audio) return;
      if (audio.paused) {
        var playing = audio.play();
        if (playing && playing.catch) playing.catch(function () { api.say("The audio could not be played."); });
      } else {
        audio.pause();
      }
    }

    if (!area) return;
    if (api.initial && typeof api.initial.text === "string") area.value = api.initial.text;
    area.addEventListener("input", sync);
    if (audio && speedBox) {
      speedBox.hidden = false;
      speedButtons.forEach(function (button) {
        button.addEventListener("click", function () {
          setSpeed(Number(button.getAttribute("data-annot-speed")));
        });
      });
      api.parts("[data-annot-seek]").forEach(function (button) {
        button.addEventListener("click", function () {
          seek(Number(button.getAttribute("data-annot-seek")));
        });
      });
      audio.addEventListener("error", function () {
        api.say("The audio could not be loaded. Reload the page, or return the task if it persists.");
      });
    }

    api.onKey = function (event) {
      if (!event.ctrlKey || event.altKey || event.metaKey || !audio) return;
      var index = SPEEDS.indexOf(audio.playbackRate);
      if (event.code === "Space" || event.key === " ") toggle();
      else if (event.key === ",") seek(-5);
      else if (event.key === ".") seek(5);
      else if (event.key === "[") setSpeed(SPEEDS[Math.max(0, index < 0 ? 2 : index - 1)]);
      else if (event.key === "]") setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, index < 0 ? 2 : index + 1)]);
      else return;
      event.preventDefault();
    };
    sync();
  });
})();
