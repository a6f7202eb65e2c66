/* A promotion's effect, drawn with Chart.js from Django's json_script block (amounts arrive as
   decimal strings, null where there is none): <canvas data-promotion-effect="ID"> the programme
   clients' turnover per month against their baseline (the pre-period trend) and the control
   group scaled to the programme's clients. */
(function () {
  "use strict";

  var ACTUAL = "rgba(1, 114, 173, 0.9)";
  var BASELINE = "rgba(136, 145, 164, 0.9)";
  var CONTROL = "rgba(232, 164, 0, 0.9)";

  function numbers(list) { return list.map(function (v) { return v === null ? null : Number(v); }); }

  function money(v) {
    var lang = document.documentElement.lang || undefined;
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(v);
  }

  function effect(canvas) {
    var source = document.getElementById(canvas.dataset.promotionEffect);
    if (!source || !window.Chart || Chart.getChart(canvas)) return;
    var d = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: d.labels,
        datasets: [
          { label: d.names.actual, data: numbers(d.actual), borderColor: ACTUAL, backgroundColor: ACTUAL, tension: 0.2 },
          { label: d.names.baseline, data: numbers(d.baseline), borderColor: BASELINE, backgroundColor: BASELINE, borderDash: [6, 4] },
          { label: d.names.control, data: numbers(d.control), borderColor: CONTROL, backgroundColor: CONTROL, tension: 0.2 },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, spanGaps: false,
        scales: { y: { beginAtZero: true, ticks: { callback: money } } },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-promotion-effect]").forEach(effect);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
