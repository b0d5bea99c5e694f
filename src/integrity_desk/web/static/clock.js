// Live SLA clocks, for My work, the case list and the case view. The server renders each
// clock's text and state; this keeps them current. Every <time data-countdown datetime="ISO">
// shows the time left until that instant ("2 d 03:05:09 left") or past it ("overdue by
// 00:03:10"), updated every second. With data-at-risk="ISO", the state label of its clock
// (the [data-sla-label] inside the nearest [data-sla]) turns to "at risk" and then
// "breached" as those instants pass, without a reload. Clocks htmx swaps in tick at once.
"use strict";

(function () {
  var LABELS = { on_track: "on track", at_risk: "at risk", breached: "breached" };
  var MARKS = { on_track: "\u25CF", at_risk: "\u25B2" };

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function countdownText(due, now) {
    var ms = due - now;
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400);
    var text = (days ? days + " d " : "") + pad(Math.floor((s % 86400) / 3600)) + ":" +
      pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    return ms >= 0 ? text + " left" : "overdue by " + text;
  }

  function durationWords(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) {
      return hours ? days + " d " + hours + " h" : days + " d";
    }
    if (hours) {
      return mins ? hours + " h " + mins + " m" : hours + " h";
    }
    return mins ? mins + " m" : "under a minute";
  }

  function hidden(text) {
    var span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  // A compact clock: its time, its state's mark (the word hidden), the sentence in the title.
  function compact(element, label, holder, state, due, now) {
    var words = durationWords(due - now);
    var tail = now >= due ? " overdue" : " left";
    if (element.textContent !== words + tail) {
      element.textContent = words;
      element.appendChild(hidden(tail));
    }
    if (label && label.className !== "sla sla-" + state) {
      label.className = "sla sla-" + state;
      label.textContent = "";
      if (MARKS[state]) {
        var mark = document.createElement("span");
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = MARKS[state];
        label.appendChild(mark);
        label.appendChild(hidden(LABELS[state]));
      } else {
        label.textContent = LABELS[state];
      }
    }
    if (holder && holder.hasAttribute("title")) {
      var duePart = holder.getAttribute("title").split("; due ")[1];
      holder.setAttribute("title", "Resolution " + LABELS[state] + ": " + countdownText(due, now) +
        (duePart ? "; due " + duePart : ""));
    }
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
      var holder = element.closest("[data-sla]");
      var label = holder && holder.querySelector("[data-sla-label]");
      if (element.hasAttribute("data-compact")) {
        compact(element, label, holder, stateOf(element, due, now), due, now);
        return;
      }
      var text = countdownText(due, now);
      if (element.textContent !== text) {
        element.textContent = text;
      }
      if (label) {
        var state = stateOf(element, due, now);
        if (label.textContent !== LABELS[state]) {
          label.textContent = LABELS[state];
          label.className = "sla sla-" + state;
        }
      }
    });
  }

  window.deskClock = { tick: tick, countdownText: countdownText, durationWords: durationWords };
  tick();
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
})();
