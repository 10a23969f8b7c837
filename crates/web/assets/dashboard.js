// The dashboard's charts (issue 13 §3), drawn by the vendored ECharts from the figures the page
// already shows as tables; a bar clicked opens the list it counts. Tooltips are drawn on the
// canvas (renderMode richText): the page's CSP allows no inline styles.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("dash-data");
    if (!data || typeof echarts === "undefined") return;
    var figures = JSON.parse(data.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var f = figures[el.getAttribute("data-chart")];
      if (!f || !f.values.length) { el.hidden = true; return; }
      var horizontal = el.getAttribute("data-chart") === "category";
      var chart = echarts.init(el, null, { renderer: "canvas" });
      var labels = { type: "category", data: f.labels, axisLabel: { interval: 0, fontSize: 11 } };
      var values = { type: "value", minInterval: 1 };
      chart.setOption({
        grid: { left: horizontal ? 90 : 36, right: 16, top: 12, bottom: horizontal ? 24 : 40 },
        tooltip: { trigger: "item", renderMode: "richText" },
        xAxis: horizontal ? values : Object.assign({}, labels, { axisLabel: { rotate: 45, fontSize: 11 } }),
        yAxis: horizontal ? Object.assign({}, labels, { inverse: true }) : values,
        series: [{ name: f.name, type: "bar", data: f.values, itemStyle: { color: "#0d6efd" }, cursor: "pointer" }]
      });
      chart.on("click", function (p) {
        var href = f.links[p.dataIndex];
        if (href) window.location.href = href;
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
