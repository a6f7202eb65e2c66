/* The ageing page's stacked bars: every <canvas data-kam-ageing="ID"> is drawn with Chart.js
   from the JSON block <script id="ID"> (json_script): one bar per row, one stack per bucket,
   amounts as decimal strings. */
(function () {
  "use strict";

  var COLOURS = ["#2e7d32", "#f9a825", "#ef6c00", "#d84315", "#b71c1c"];

  function draw(canvas) {
    if (!window.Chart || Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.kamAgeing);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var lang = document.documentElement.lang || undefined;
    var money = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return { label: s.name, data: s.values.map(Number), backgroundColor: COLOURS[i] };
        }),
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: true, ticks: { callback: function (v) { return money.format(v); } } },
          y: { stacked: true },
        },
        plugins: {
          tooltip: {
            callbacks: {
              label: function (c) { return c.dataset.label + ": " + money.format(c.raw); },
            },
          },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-kam-ageing]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
