/* The plan-against-fact page's bars: every <canvas data-kam-plan-fact="ID"> is drawn with
   Chart.js from the JSON block <script id="ID"> (json_script): one group per unit, bars for
   plan, fact and forecast, amounts as decimal strings (null: none). */
(function () {
  "use strict";

  var COLOURS = ["#90a4ae", "#1565c0", "#ffb300"];

  function draw(canvas) {
    if (!window.Chart || Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.kamPlanFact);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || undefined;
    var money = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return {
            label: s.name,
            data: s.values.map(function (v) { return v === null ? null : Number(v); }),
            backgroundColor: COLOURS[i % COLOURS.length],
          };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { ticks: { callback: function (v) { return money.format(v); } } } },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (c) {
                return c.dataset.label + ": " + money.format(c.raw) + " " + data.currency;
              },
            },
          },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-kam-plan-fact]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
