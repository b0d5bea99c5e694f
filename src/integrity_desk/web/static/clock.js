// Live SLA clocks. Every <time data-countdown datetime="ISO"> shows the time left until that
// instant ("2 d 03:05:09 left") or past it ("overdue by 00:03:10"), updated every second. With a
// data-at-risk="ISO" attribute, the state badge of its clock ([data-clock] [data-sla-state])
// turns to "at risk" and then "breached" as those instants pass, without a reload.
// Self-contained: no other script needed; elements swapped in by htmx are picked up too.
"use strict";

(function () {
  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function words(ms) {
    var left = ms >= 0;
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400);
    var hours = Math.floor((s % 86400) / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var seconds = s % 60;
    var text = (days ? days + " d " : "") + pad(hours) + ":" + pad(minutes) + ":" + pad(seconds);
    return left ? text + " left" : "overdue by " + text;
  }

  function setState(el, now) {
    var clock = el.closest("[data-clock]");
    var badge = clock ? clock.querySelector("[data-sla-state]") : null;
    if (!badge) {
      return;
    }
    var due = Date.parse(el.getAttribute("datetime"));
    var risk = Date.parse(el.getAttribute("data-at-risk") || "");
    var state = null;
    if (now >= due) {
      state = "breached";
    } else if (!isNaN(risk) && now >= risk) {
      state = "at_risk";
    }
    if (state && !badge.classList.contains("sla-" + state)) {
      badge.className = badge.className.replace(/\bsla-[a-z_]+/g, "").trim() + " sla-" + state;
      badge.textContent = state === "at_risk" ? "at risk" : state;
    }
  }

  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll("time[data-countdown]");
    for (var i = 0; i < clocks.length; i++) {
      var due = Date.parse(clocks[i].getAttribute("datetime"));
      if (isNaN(due)) {
        continue;
      }
      var text = words(due - now);
      if (clocks[i].textContent !== text) {
        clocks[i].textContent = text;
      }
      setState(clocks[i], now);
    }
  }

  tick();
  window.setInterval(tick, 1000);
})();
