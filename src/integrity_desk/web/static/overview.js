/* The overview's inflow/outflow chart, drawn with the vendored uPlot from the JSON block
   #flow-data (the table under the chart holds the same numbers for everyone). */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("flow-chart");
    var source = document.getElementById("flow-data");
    if (!holder || !source || typeof window.uPlot === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var xs = data.days.map(function (day) { return Date.parse(day + "T00:00:00Z") / 1000; });
    var height = 260;
    function width() { return Math.max(280, holder.clientWidth); }
    var options = {
      width: width(),
      height: height,
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      series: [
        { label: "Day", value: "{YYYY}-{MM}-{DD}" },
        { label: "Opened", stroke: "#1d4ed8", width: 2, points: { show: true, size: 6 } },
        { label: "Closed", stroke: "#166534", width: 2, dash: [8, 4], points: { show: true, size: 6 } }
      ],
      axes: [{ stroke: "#1b1f24" }, { stroke: "#1b1f24" }]
    };
    var chart = new window.uPlot(options, [xs, data.opened, data.closed], holder);
    holder.classList.add("drawn");
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () { chart.setSize({ width: width(), height: height }); }, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
