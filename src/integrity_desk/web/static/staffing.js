/* The staffing plan's chart: people needed on shift against people scheduled, hour by hour,
   for one queue, from the JSON block #plan-data (the table under it holds the same figures by
   day: a chart is never the only place a number is). Vendored uPlot; no inline script. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }
  ready(function () {
    var holder = document.getElementById("plan-chart");
    var source = document.getElementById("plan-data");
    if (!holder || !source || typeof window.uPlot === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    if (!data.hours.length) { return; }
    var xs = data.hours.map(function (t) { return Date.parse(t) / 1000; });
    function width() { return Math.max(280, holder.clientWidth); }
    var plot = new window.uPlot({
      width: width(), height: 280,
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      series: [
        { label: "Hour (UTC)", value: "{YYYY}-{MM}-{DD} {HH}:00" },
        { label: "Needed on shift", stroke: "#b91c1c", width: 2 },
        { label: "Scheduled", stroke: "#1d4ed8", width: 2, dash: [8, 4] },
        { label: "Arrivals", stroke: "#6b7280", width: 1 }
      ],
      axes: [{ stroke: "#1b1f24" }, { stroke: "#1b1f24" }]
    }, [xs, data.need, data.scheduled, data.arrivals], holder);
    holder.classList.add("drawn");
    var pending = null;
    window.addEventListener("resize", function () {
      if (pending) { window.clearTimeout(pending); }
      pending = window.setTimeout(function () { plot.setSize({ width: width(), height: 280 }); }, 100);
    });
  });
})();
