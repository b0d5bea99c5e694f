/* The dashboard's two charts from the JSON block #dashboard-data (static/charts.js; the
   table under each chart holds the same numbers). */
(function () {
  "use strict";
  var c = window.deskCharts;
  c.ready(function () {
    var data = c.json("dashboard-data");
    if (!data) { return; }
    c.draw("trend-chart", data.trend.starts, "Week starting", [
      c.line("SLA resolution %", "#1d4ed8", false, { scale: "pct" }),
      c.line("Backlog", "#92400e", true, { scale: "n" })
    ], [data.trend.attainment, data.trend.backlog],
    { x: { time: true }, pct: { range: [0, 100] }, n: { range: c.fromZero } },
    [{ stroke: "#1b1f24" }, { stroke: "#1b1f24", scale: "pct" },
     { stroke: "#1b1f24", scale: "n", side: 1, grid: { show: false } }]);
    c.draw("flow-chart", data.flow.days, "Day",
           [c.line("Opened", "#1d4ed8", false), c.line("Closed", "#166534", true)],
           [data.flow.inflow, data.flow.outflow]);
  });
})();
