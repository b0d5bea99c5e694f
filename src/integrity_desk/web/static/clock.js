// SLA countdowns that tick in the browser. The server renders each clock's text and state
// (static/clock.js only keeps them current): <time data-countdown datetime="ISO due"
// [data-at-risk="ISO"]>, inside an element marked data-sla whose [data-sla-label] shows the
// state (on track / at risk / breached). Used by My work, the case list and the case view.
"use strict";

(function () {
  var LABELS = { on_track: "on track", at_risk: "at risk", breached: "breached" };

  function span(seconds) {
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) {
      return days + " d " + hours + " h";
    }
    if (hours) {
      return hours + " h " + minutes + " min";
    }
    return minutes + " min";
  }

  function countdownText(due, now) {
    var seconds = Math.trunc((due - now) / 1000);
    return seconds >= 0 ? span(seconds) + " left" : "overdue by " + span(-seconds);
  }

  function stateOf(element, due, now) {
    if (now >= due) {
      return "breached";
    }
    var atRisk = Date.parse(element.getAttribute("data-at-risk") || "");
    return !isNaN(atRisk) && now >= atRisk ? "at_risk" : "on_track";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-countdown]").forEach(function (element) {
      var due = Date.parse(element.getAttribute("datetime") || "");
      if (isNaN(due)) {
        return;
      }
      var text = countdownText(due, now);
      if (element.textContent !== text) {
        element.textContent = text;
      }
      var holder = element.closest("[data-sla]");
      var label = holder && holder.querySelector("[data-sla-label]");
      if (label) {
        var state = stateOf(element, due, now);
        if (label.textContent !== LABELS[state]) {
          label.textContent = LABELS[state];
          label.className = "sla sla-" + state;
        }
      }
    });
  }

  window.deskClock = { tick: tick, countdownText: countdownText };
  tick();
  setInterval(tick, 15000);
  // Clocks that htmx swaps in start ticking at once.
  document.addEventListener("htmx:afterSettle", tick);
})();
