/* An account plan's goals: every <canvas data-kam-plan-goals="ID"> is drawn with Chart.js from
   the JSON block <script id="ID"> (json_script): one bar per goal, its progress against the
   target in per cent, coloured by the goal's status. No inline code: CSP. */
(function () {
  "use strict";

  var COLOURS = {
    on_track: "#1565c0", at_risk: "#e8a400", done: "#2e7d32", missed: "#b3261e",
  };

  function draw(canvas) {
    if (!window.Chart || Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.kamPlanGoals);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.name,
          data: data.progress,
          backgroundColor: data.status.map(function (s) { return COLOURS[s] || "#90a4ae"; }),
        }],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { suggestedMin: 0, suggestedMax: 100 } },
        plugins: { legend: { display: false } },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-kam-plan-goals]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSettle", drawAll);
})();
