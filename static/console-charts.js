/* Charts of the statistics page, drawn with Chart.js (static/vendor, no CDN).
 *
 * The page carries its numbers in <script type="application/json" id="stats-charts">
 * (data, not code: the Content-Security-Policy allows no inline script) and
 * marks each chart with <canvas data-chart="name">. Every figure is also in
 * a table on the page, so nothing is lost without JavaScript.
 */
(function () {
  "use strict";
  var source = document.getElementById("stats-charts");
  if (!source || typeof window.Chart === "undefined") return;
  var charts;
  try {
    charts = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }
  // Distinct to readers with the common colour-vision deficiencies.
  var colors = ["#1f5fa8", "#e07b00", "#2e8b57", "#8a0010"];

  function datasets(spec) {
    return spec.datasets.map(function (set, i) {
      var color = colors[i % colors.length];
      return { label: set.label, data: set.data, backgroundColor: color, borderColor: color };
    });
  }

  var canvases = document.querySelectorAll("canvas[data-chart]");
  Array.prototype.forEach.call(canvases, function (canvas) {
    var spec = charts[canvas.getAttribute("data-chart")];
    if (!spec || !spec.labels || !spec.labels.length) return;
    new window.Chart(canvas, {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: 2.8,
        animation: false, // office PCs: draw once, at once
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: spec.datasets.length > 1 } }
      }
    });
  });
})();
