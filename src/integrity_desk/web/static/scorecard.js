/* A vendor scorecard's 12-week trend of SLA attainment from the JSON block #trend-data
   (static/charts.js; the trend table under it holds every number). */
(function () {
  "use strict";
  var c = window.deskCharts;
  function percent(values) {
    return values.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
  }
  c.ready(function () {
    var data = c.json("trend-data");
    if (!data) { return; }
    c.draw("trend-chart", data.weeks, "Week starting", [
      c.line(data.labels.first_response_attainment + " (%)", "#1d4ed8", false),
      c.line(data.labels.resolution_attainment + " (%)", "#166534", true)
    ], [percent(data.series.first_response_attainment),
        percent(data.series.resolution_attainment)],
    { x: { time: true }, y: { range: [0, 100] } });
  });
})();
