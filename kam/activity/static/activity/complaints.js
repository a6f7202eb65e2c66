/* The complaints list's bar chart: <canvas data-complaint-chart="ID"> drawn with Chart.js from
   the JSON block <script id="ID"> (Django's json_script): {labels, counts, name}. No inline
   script (CSP); redrawn after an htmx swap of the list. */
(function () {
  "use strict";

  var BAR = "rgba(1, 114, 173, 0.85)";

  function draw(canvas) {
    if (!window.Chart || Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.complaintChart);
    if (!source) return;
    var d = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [{ label: d.name, data: d.counts.map(Number), backgroundColor: BAR }],
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-complaint-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(); });
  document.addEventListener("htmx:afterSettle", function (e) { drawAll(e.target); });
})();
