/* The investigation workspace: draws the graph of accounts and businesses with the vendored
   Cytoscape.js (cose layout) and the reviews per day with uPlot (charts.js), from the JSON in
   their holders' data- attributes (htmx drops <script> islands from swapped content). The list beside the graph and the table under the chart hold the
   same facts; a button of the list selects its node in the drawing. htmx swaps #workspace
   after a change of members: both are drawn again then. */
(function () {
  "use strict";

  var cy = null;

  function drawGraph() {
    var holder = document.getElementById("workspace-graph");
    if (!holder || !holder.hasAttribute("data-graph") || typeof window.cytoscape === "undefined" ||
        holder.classList.contains("drawn")) { return; }
    var elements = JSON.parse(holder.getAttribute("data-graph"));
    var nodes = elements.filter(function (e) { return !e.data.source; }).length;
    cy = window.cytoscape({
      container: holder,
      elements: elements,
      style: [
        { selector: "node", style: {
          "label": nodes <= 150 ? "data(label)" : "", "font-size": 9, "color": "#1b1f24",
          "width": "mapData(reviews, 0, 20, 10, 30)", "height": "mapData(reviews, 0, 20, 10, 30)",
          "background-color": "#3b6ea5" } },
        { selector: "node[kind = 'business']", style: {
          "shape": "round-rectangle", "background-color": "#b5552b", "label": "data(label)",
          "width": 34, "height": 22 } },
        { selector: "node[!member]", style: { "background-opacity": 0.35 } },
        { selector: "edge", style: { "width": "mapData(weight, 1, 10, 1, 5)",
          "line-color": "#9aa5b1", "curve-style": "haystack", "opacity": 0.7 } },
        { selector: "edge[kind = 'shares']", style: { "line-style": "dashed",
          "line-color": "#6d4c9f", "curve-style": "bezier" } },
        { selector: ":selected", style: { "border-width": 3, "border-color": "#000",
          "label": "data(label)" } }
      ],
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000,
                idealEdgeLength: 40, numIter: nodes > 200 ? 400 : 1000 }
    });
    holder.classList.add("drawn");
    cy.on("tap", "node", function (event) {
      var item = document.getElementById("node-" + event.target.id());
      if (item) { item.scrollIntoView({ block: "nearest" }); }
    });
  }

  function drawVolume() {
    var charts = window.deskCharts;
    if (!charts) { return; }
    var holder = document.getElementById("volume-chart");
    if (!holder || holder.classList.contains("drawn")) { return; }
    var data = JSON.parse(holder.getAttribute("data-volume") || "null");
    if (!data || !data.days.length) { return; }
    charts.draw("volume-chart", data.days, "Day", [
      charts.line("In this investigation", "#3b6ea5", false),
      charts.line("All reviews of its businesses", "#9aa5b1", true),
      charts.line("Burst day", "#b42318", false, { width: 0, points: { show: true, size: 12 } })
    ], [data.in_case, data.around, data.burst]);
  }

  function select(button) {
    if (!cy) { return; }
    cy.elements().unselect();
    var node = cy.getElementById(button.getAttribute("data-node"));
    if (node && node.length) {
      node.select();
      cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.2) }, { duration: 200 });
    }
  }

  function drawAll() {
    drawGraph();
    drawVolume();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-node]") : null;
    if (button) { select(button); }
  });
  /* After htmx swapped a new #workspace in and settled it (its drawings are not drawn yet;
     drawAll skips what is drawn already), as clock.js does for its clocks. */
  document.addEventListener("htmx:afterSettle", function () {
    if (document.getElementById("workspace")) { drawAll(); }
  });
  if (window.deskCharts) { window.deskCharts.ready(drawAll); }
  else { document.addEventListener("DOMContentLoaded", drawAll); }
})();
