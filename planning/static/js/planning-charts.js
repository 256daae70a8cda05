/* Draws the dashboard's charts with the vendored Chart.js (static/vendor/chartjs-4.4.7, MIT).
   Each <canvas data-chart="ID"> reads its data from <script id="ID" type="application/json">;
   the table beside it holds the same rows. No animation, so a printed page shows the bars. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var colours = ["#1d4ed8", "#b45309", "#15803d", "#7c3aed", "#b91c1c", "#0e7490"];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = "system-ui, 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif";
  var charts = [];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var datasets = spec.series.map(function (s, i) {
      return {
        label: s.label,
        data: s.data.map(function (v) { return v === null ? null : Number(v); }),
        backgroundColor: colours[i % colours.length],
        borderColor: "#111827",
        borderWidth: 1
      };
    });
    var scales = { y: { beginAtZero: true } };
    if (spec.max) { scales.y.max = spec.max; }
    charts.push(new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: scales,
        plugins: { legend: { position: "bottom" } }
      }
    }));
  });
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (c) { c.resize(640, 280); });
  });
  window.addEventListener("afterprint", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
