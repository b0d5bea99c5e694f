/* The console's charts: one way to draw a line chart of days or weeks with the vendored
   uPlot, from a JSON island the page writes (the table under each chart holds the same
   numbers for everyone: a chart is never the only place a number is). Pages call
   window.deskCharts.draw(…) once the DOM is ready (deskCharts.ready). */
(function () {
  "use strict";

  function seconds(day) { return Date.parse(day + "T00:00:00Z") / 1000; }

  function fromZero(u, min, max) { return [0, Math.max(1, max)]; }

  /* holderId: the element to draw in; days: ISO dates of the x axis; xLabel: what a point's
     date is ("Day", "Week starting"); series: uPlot series (one per line) with their ys;
     scales, axes: uPlot's, defaulting to one y axis from zero. */
  function draw(holderId, days, xLabel, series, ys, scales, axes) {
    var holder = document.getElementById(holderId);
    if (!holder || !days.length || typeof window.uPlot === "undefined") { return null; }
    var height = 260;
    function width() { return Math.max(280, holder.clientWidth); }
    var plot = new window.uPlot({
      width: width(),
      height: height,
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: scales || { x: { time: true }, y: { range: fromZero } },
      series: [{ label: xLabel, value: "{YYYY}-{MM}-{DD}" }].concat(series),
      axes: axes || [{ stroke: "#1b1f24" }, { stroke: "#1b1f24" }]
    }, [days.map(seconds)].concat(ys), holder);
    holder.classList.add("drawn");
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () { plot.setSize({ width: width(), height: height }); }, 100);
    });
    return plot;
  }

  function line(label, colour, dashed, extra) {
    var s = { label: label, stroke: colour, width: 2, points: { show: true, size: 6 } };
    if (dashed) { s.dash = [8, 4]; }
    for (var k in (extra || {})) { s[k] = extra[k]; }
    return s;
  }

  function json(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function ready(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", fn);
    } else {
      fn();
    }
  }

  window.deskCharts = { draw: draw, line: line, json: json, ready: ready, fromZero: fromZero };
})();
