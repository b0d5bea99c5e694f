/* The dashboard's two charts, drawn with the vendored uPlot from the JSON block
   #dashboard-data (the table under each chart holds the same numbers for everyone). */
(function () {
  "use strict";

  function seconds(day) { return Date.parse(day + "T00:00:00Z") / 1000; }

  function chart(holderId, xs, series, ys, axes) {
    var holder = document.getElementById(holderId);
    if (!holder || !xs.length) { return; }
    var height = 260;
    function width() { return Math.max(280, holder.clientWidth); }
    var plot = new window.uPlot({
      width: width(),
      height: height,
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: axes.scales,
      series: [{ label: "Day", value: "{YYYY}-{MM}-{DD}" }].concat(series),
      axes: axes.axes
    }, [xs].concat(ys), holder);
    holder.classList.add("drawn");
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () { plot.setSize({ width: width(), height: height }); }, 100);
    });
  }

  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof window.uPlot === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var fromZero = function (u, min, max) { return [0, Math.max(1, max)]; };
    chart("trend-chart", data.trend.starts.map(seconds), [
      { label: "SLA resolution %", stroke: "#1d4ed8", width: 2, scale: "pct", points: { show: true, size: 6 } },
      { label: "Backlog", stroke: "#92400e", width: 2, dash: [8, 4], scale: "n", points: { show: true, size: 6 } }
    ], [data.trend.attainment, data.trend.backlog], {
      scales: { x: { time: true }, pct: { range: [0, 100] }, n: { range: fromZero } },
      axes: [{ stroke: "#1b1f24" }, { stroke: "#1b1f24", scale: "pct" },
             { stroke: "#1b1f24", scale: "n", side: 1, grid: { show: false } }]
    });
    chart("flow-chart", data.flow.days.map(seconds), [
      { label: "Opened", stroke: "#1d4ed8", width: 2, points: { show: true, size: 6 } },
      { label: "Closed", stroke: "#166534", width: 2, dash: [8, 4], points: { show: true, size: 6 } }
    ], [data.flow.inflow, data.flow.outflow], {
      scales: { x: { time: true }, y: { range: fromZero } },
      axes: [{ stroke: "#1b1f24" }, { stroke: "#1b1f24" }]
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
