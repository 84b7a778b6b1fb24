// Experiment plots: one chart per outcome, each arm's rate per 100 member-days with its 95 %
// interval (a floating bar) and the estimate (a point). Data from json_script; no inline code (CSP).
// Runs at DOMContentLoaded: the page loads chart.js with `defer` after this file.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  const source = document.getElementById("experiments-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent) || {};
  const green = "#0b6e4f", amber = "#d08a1e";
  for (const canvas of document.querySelectorAll("canvas[data-experiment]")) {
    const x = (data[canvas.dataset.experiment] || {})[canvas.dataset.outcome];
    if (!x) continue;
    new Chart(canvas, {
      data: {
        labels: x.labels,
        datasets: [
          { type: "bar", label: x.interval_label, data: x.intervals, backgroundColor: [green + "55", amber + "55"],
            borderColor: [green, amber], borderWidth: 1 },
          { type: "line", label: x.rate_label, data: x.rates, showLine: false, pointRadius: 5,
            pointBackgroundColor: [green, amber], borderColor: "#1d2430" },
        ],
      },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } },
    });
  }
});
