/* Credit charts, drawn with Chart.js from Django's json_script blocks (amounts arrive as decimal
   strings): <canvas data-credit-exposure="ID"> exposure against limit for the largest
   exposures; <canvas data-credit-history="ID"> a client's 12 months invoiced, paid on time and
   paid late. */
(function () {
  "use strict";

  var LIMIT = "rgba(136, 145, 164, 0.55)";
  var EXPOSURE = "rgba(1, 114, 173, 0.85)";
  var ON_TIME = "rgba(46, 125, 50, 0.8)";
  var LATE = "rgba(232, 164, 0, 0.9)";

  function data(canvas, key) {
    var source = document.getElementById(canvas.dataset[key]);
    return source ? JSON.parse(source.textContent) : null;
  }

  function numbers(list) { return list.map(Number); }

  function money(v) {
    var lang = document.documentElement.lang || undefined;
    return new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(v);
  }

  function exposure(canvas) {
    var d = data(canvas, "creditExposure");
    if (!d || !window.Chart || Chart.getChart(canvas)) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: d.names.limit, data: numbers(d.limit), backgroundColor: LIMIT },
          { label: d.names.exposure, data: numbers(d.exposure), backgroundColor: EXPOSURE },
        ],
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { ticks: { callback: money } } },
      },
    });
  }

  function history(canvas) {
    var d = data(canvas, "creditHistory");
    if (!d || !window.Chart || Chart.getChart(canvas)) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: d.names.invoiced, data: numbers(d.invoiced), backgroundColor: LIMIT, stack: "invoiced" },
          { label: d.names.paid, data: numbers(d.paid), backgroundColor: ON_TIME, stack: "paid" },
          { label: d.names.paid_late, data: numbers(d.paid_late), backgroundColor: LATE, stack: "paid" },
        ],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: money } } },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-credit-exposure]").forEach(exposure);
    (root || document).querySelectorAll("canvas[data-credit-history]").forEach(history);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSwap", function (e) { drawAll(e.target); });
})();
