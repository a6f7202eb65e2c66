/* The radar's Pareto chart: every <canvas data-kam-pareto="ID"> is drawn with Chart.js from the
   JSON block <script id="ID"> (Django's json_script), as kam/charts.js does for monthly charts.
   Percentages arrive as decimal strings. Redrawn after htmx swaps in a new radar block. */
(function () {
  "use strict";

  var CURVE = "rgba(1, 114, 173, 0.9)";
  var FILL = "rgba(1, 114, 173, 0.12)";
  var EVEN = "rgba(136, 145, 164, 0.8)";
  var A_LINE = "rgba(46, 125, 50, 0.8)";

  function pct(v) {
    var lang = document.documentElement.lang || undefined;
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(v) + " %";
  }

  function draw(canvas) {
    if (!window.Chart || Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.kamPareto);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var points = data.points.map(function (p) {
      return { x: Number(p.x), y: Number(p.y), rank: p.rank };
    });
    var aPct = Number(data.a_pct);
    new Chart(canvas, {
      type: "line",
      data: {
        datasets: [
          {
            label: data.names.curve, data: points, borderColor: CURVE, backgroundColor: FILL,
            fill: true, pointRadius: points.length > 40 ? 0 : 2, tension: 0,
          },
          {
            label: data.names.even, data: [{ x: 0, y: 0 }, { x: 100, y: 100 }],
            borderColor: EVEN, borderDash: [4, 4], pointRadius: 0, fill: false,
          },
          {
            label: "A", data: [{ x: 0, y: aPct }, { x: 100, y: aPct }],
            borderColor: A_LINE, borderWidth: 1, borderDash: [2, 3], pointRadius: 0, fill: false,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        parsing: false,
        interaction: { mode: "nearest", intersect: false, axis: "x" },
        scales: {
          x: { type: "linear", min: 0, max: 100, title: { display: true, text: data.names.x },
               ticks: { callback: function (v) { return v + " %"; } } },
          y: { min: 0, max: 100, title: { display: true, text: data.names.y },
               ticks: { callback: function (v) { return v + " %"; } } },
        },
        plugins: {
          legend: { display: true, labels: { filter: function (item) { return item.datasetIndex < 2; } } },
          tooltip: {
            filter: function (item) { return item.datasetIndex === 0; },
            callbacks: {
              title: function () { return ""; },
              label: function (ctx) {
                var p = ctx.raw;
                return data.names.tooltip
                  .replace("%(rank)s", p.rank)
                  .replace("%(clients)s %%", pct(p.x))
                  .replace("%(share)s %%", pct(p.y));
              },
            },
          },
        },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-kam-pareto]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  // An outerHTML swap replaces the target itself, so look through the whole document.
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
})();
