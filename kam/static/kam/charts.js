/* KAM's monthly charts: every <canvas data-kam-chart="ID"> is drawn with Chart.js from the
   JSON block <script id="ID"> (Django's json_script). Amounts arrive as decimal strings.
   data-kam-chart-kind="sales" draws revenue and income; "income" draws income alone. */
(function () {
  "use strict";

  var REVENUE = "rgba(1, 114, 173, 0.35)";
  var INCOME = "rgba(1, 114, 173, 0.9)";
  var LOSS = "rgba(179, 38, 30, 0.9)";

  function formatter(currency) {
    var lang = document.documentElement.lang || undefined;
    try {
      return new Intl.NumberFormat(lang, {
        style: "currency", currency: currency, maximumFractionDigits: 0,
      });
    } catch (e) {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    }
  }

  function draw(canvas) {
    if (!window.Chart || Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.kamChart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var income = data.income.map(Number);
    var fmt = formatter(data.currency);
    var datasets = [];
    if (canvas.dataset.kamChartKind !== "income") {
      datasets.push({
        label: data.names.revenue, data: data.revenue.map(Number),
        backgroundColor: REVENUE,
      });
    }
    datasets.push({
      label: data.names.income, data: income,
      backgroundColor: income.map(function (v) { return v < 0 ? LOSS : INCOME; }),
    });
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { ticks: { callback: function (v) { return fmt.format(v); } } } },
        plugins: {
          legend: { display: datasets.length > 1 },
          tooltip: {
            callbacks: {
              label: function (ctx) { return ctx.dataset.label + ": " + fmt.format(ctx.parsed.y); },
            },
          },
        },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-kam-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
})();
