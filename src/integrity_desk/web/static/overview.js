/* The overview's inflow/outflow chart from the JSON block #flow-data (static/charts.js). */
(function () {
  "use strict";
  var c = window.deskCharts;
  c.ready(function () {
    var data = c.json("flow-data");
    if (!data) { return; }
    c.draw("flow-chart", data.days, "Day",
           [c.line("Opened", "#1d4ed8", false), c.line("Closed", "#166534", true)],
           [data.opened, data.closed]);
  });
})();
