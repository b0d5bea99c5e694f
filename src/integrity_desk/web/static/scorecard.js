/* A vendor scorecard's 12-week trend of SLA attainment, drawn with the vendored uPlot from
   the JSON block #trend-data (the trend table under it holds every number for everyone). */
(function () {
  "use strict";

  function draw() {
    var holder = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!holder || !source || typeof window.uPlot === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var xs = data.weeks.map(function (day) { return Date.parse(day + "T00:00:00Z") / 1000; });
    function percent(values) {
      return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
    }
    var height = 260;
    function width() { return Math.max(280, holder.clientWidth); }
    var options = {
      width: width(),
      height: height,
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: { x: { time: true }, y: { range: [0, 100] } },
      series: [
        { label: "Week starting", value: "{YYYY}-{MM}-{DD}" },
        { label: data.labels.first_response_attainment + " (%)", stroke: "#1d4ed8", width: 2, points: { show: true, size: 6 } },
        { label: data.labels.resolution_attainment + " (%)", stroke: "#166534", width: 2, dash: [8, 4], points: { show: true, size: 6 } }
      ],
      axes: [{ stroke: "#1b1f24" }, { stroke: "#1b1f24" }]
    };
    var chart = new window.uPlot(options, [xs, percent(data.series.first_response_attainment),
      percent(data.series.resolution_attainment)], holder);
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
