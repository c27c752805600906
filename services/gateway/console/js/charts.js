// Visualizations (docs/api.md "Visualizations"): tables, and the 7 chart types drawn with ECharts
// (vendored, SVG renderer). Colours are never sent by the API: the palette is ours.

import * as echarts from "../vendor/echarts/echarts.esm.min.js";
import { h } from "./dom.js";

export const CHART_TYPES = ["bar", "bar_horizontal", "stacked_bar", "line", "area", "pie", "donut"];
// Okabe–Ito-like palette, distinguishable with common colour-vision deficiencies.
const PALETTE = ["#1d4ed8", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7a5195", "#999933", "#882255", "#44aa99"];
const reducedMotion = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const fixedFormat = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compactFormat = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

export function formatNumber(value) {
  return numberFormat.format(value);
}

/** A <figure> for a visualization event's data: a chart or a table. */
export function renderVisualization(viz) {
  if (viz.type === "chart") return renderChart(viz);
  if (viz.type === "table") return renderTable(viz);
  return h("figure", { class: "viz", dataset: { vizId: viz.id || "" } }, h("figcaption", {}, `Unknown visualization ${viz.type}`));
}

export function renderTable(viz) {
  const headers = viz.headers || [];
  const rows = viz.rows || [];
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number"));
  // A column with any fraction shows every number with 2 decimals, so that the digits line up.
  const decimals = headers.map((_, i) => rows.some((r) => typeof r[i] === "number" && !Number.isInteger(r[i])));
  const cell = (value, i) => {
    if (value === null || value === undefined) return h("td", { class: numeric[i] ? "num" : null }, "—");
    if (typeof value === "number") return h("td", { class: "num" }, (decimals[i] ? fixedFormat : numberFormat).format(value));
    if (typeof value === "boolean") return h("td", {}, value ? "true" : "false");
    return h("td", {}, String(value));
  };
  const caption = viz.title || "Result";
  const note = viz.truncated
    ? h("p", { class: "note" }, `Showing the first ${formatNumber(rows.length)} of ${formatNumber(viz.total_rows ?? rows.length)} rows.`)
    : h("p", { class: "note" }, `${formatNumber(rows.length)} row${rows.length === 1 ? "" : "s"}`);
  return h(
    "figure",
    { class: "viz viz-table", dataset: { vizId: viz.id || "" } },
    h("figcaption", {}, caption),
    h(
      "div",
      { class: "table-wrap", tabindex: "0", role: "region", "aria-label": `Table: ${caption}` },
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, headers.map((name, i) => h("th", { scope: "col", class: numeric[i] ? "num" : null }, name)))),
        h("tbody", {}, rows.map((row) => h("tr", {}, row.map(cell)))),
      ),
    ),
    note,
  );
}

/** The ECharts option for a chart of the API. */
export function chartOption(viz) {
  const kind = viz.chart_type;
  const data = viz.data || {};
  const values = data.values || [];
  const base = {
    color: PALETTE,
    animation: !reducedMotion,
    animationDuration: 400,
    aria: { enabled: true, label: { description: describe(viz) } },
    tooltip: { trigger: kind === "pie" || kind === "donut" ? "item" : "axis", valueFormatter: (v) => formatNumber(v) },
    textStyle: { fontFamily: "system-ui, DejaVu Sans, sans-serif" },
  };
  const valueAxis = (name, position) => ({
    type: "value",
    name,
    nameLocation: "middle",
    nameGap: position === "left" ? 56 : 30,
    axisLabel: { formatter: (v) => compactFormat.format(v) },
  });
  const categoryAxis = (name, labels, extra = {}) => ({
    type: "category",
    name,
    nameLocation: "middle",
    nameGap: 30,
    data: labels,
    axisLabel: { hideOverlap: true, width: 120, overflow: "truncate" },
    ...extra,
  });
  const grid = { left: 72, right: 24, top: 30, bottom: 52, containLabel: false };
  const labels = values.map((v) => v.label);
  const numbers = values.map((v) => v.value);

  switch (kind) {
    case "bar":
      return {
        ...base,
        grid,
        xAxis: categoryAxis(data.x_axis_label, labels),
        yAxis: valueAxis(data.y_axis_label, "left"),
        series: [{ type: "bar", name: data.y_axis_label || "value", data: numbers }],
      };
    case "bar_horizontal":
      return {
        ...base,
        grid: { ...grid, left: 140 },
        yAxis: categoryAxis(data.x_axis_label, labels, { inverse: true, nameGap: 120, axisLabel: { width: 110, overflow: "truncate" } }),
        xAxis: valueAxis(data.y_axis_label, "bottom"),
        series: [{ type: "bar", name: data.y_axis_label || "value", data: numbers }],
      };
    case "line":
    case "area":
      return {
        ...base,
        grid,
        xAxis: categoryAxis(data.x_axis_label, labels, { boundaryGap: false }),
        yAxis: valueAxis(data.y_axis_label, "left"),
        series: [
          {
            type: "line",
            name: data.y_axis_label || "value",
            data: numbers,
            showSymbol: values.length <= 60,
            areaStyle: kind === "area" ? { opacity: 0.25 } : undefined,
          },
        ],
      };
    case "stacked_bar": {
      const categories = [...new Set(values.map((v) => v.label))];
      const seriesNames = [...new Set(values.map((v) => v.series ?? ""))];
      const index = new Map(categories.map((c, i) => [c, i]));
      const series = seriesNames.map((name) => {
        const row = new Array(categories.length).fill(0);
        for (const v of values) if ((v.series ?? "") === name) row[index.get(v.label)] += v.value;
        return { type: "bar", name, stack: "total", emphasis: { focus: "series" }, data: row };
      });
      return {
        ...base,
        grid: { ...grid, top: 48 },
        legend: { type: "scroll", top: 0 },
        xAxis: categoryAxis(data.x_axis_label, categories),
        yAxis: valueAxis(data.y_axis_label, "left"),
        series,
      };
    }
    case "pie":
    case "donut":
      return {
        ...base,
        legend: { type: "scroll", bottom: 0 },
        series: [
          {
            type: "pie",
            name: viz.title || "share",
            radius: kind === "donut" ? ["42%", "68%"] : "68%",
            center: ["50%", "46%"],
            data: values.map((v) => ({ name: v.text ?? v.label, value: v.value })),
            label: { formatter: "{b}: {d}%" },
          },
        ],
      };
    default:
      return null;
  }
}

const charts = new Set();
const resizer = new ResizeObserver((entries) => {
  for (const entry of entries) echarts.getInstanceByDom(entry.target)?.resize();
});

export function renderChart(viz) {
  const option = chartOption(viz);
  const title = viz.title || "Chart";
  const canvas = h("div", {
    class: "chart-canvas",
    role: "img",
    "aria-label": `${chartName(viz.chart_type)}: ${title}`,
    dataset: { chartType: viz.chart_type },
  });
  const figure = h(
    "figure",
    { class: "viz viz-chart", dataset: { vizId: viz.id || "", chartType: viz.chart_type } },
    h("figcaption", {}, title, " ", h("span", { class: "tag" }, chartName(viz.chart_type))),
    canvas,
  );
  if (!option) {
    canvas.replaceWith(h("p", { class: "note" }, `Chart type “${viz.chart_type}” is not known to this console.`));
    return figure;
  }
  // ECharts needs the element in the document to measure it: draw on the next frame.
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const chart = echarts.init(canvas, null, { renderer: "svg" });
    chart.setOption(option);
    charts.add(chart);
    resizer.observe(canvas);
    figure.dataset.rendered = "true";
  });
  return figure;
}

/** Frees the charts of nodes that left the document (a chat switched, a message deleted). */
export function disposeDetachedCharts() {
  for (const chart of charts) {
    const dom = chart.getDom();
    if (!dom.isConnected) {
      resizer.unobserve(dom);
      chart.dispose();
      charts.delete(chart);
    }
  }
}

/** What a screen reader says for a chart: its kind, title and (the first 25) values, rounded. */
function describe(viz) {
  const values = viz.data?.values || [];
  const items = values.slice(0, 25).map((v) => {
    const name = v.text ?? v.label ?? "";
    return `${name}${v.series ? ` (${v.series})` : ""}: ${formatNumber(v.value)}`;
  });
  const more = values.length > 25 ? `; and ${values.length - 25} more` : "";
  return `${chartName(viz.chart_type)}: ${viz.title || "untitled"}. ${items.join("; ")}${more}.`;
}

function chartName(kind) {
  return (
    {
      bar: "Bar chart",
      bar_horizontal: "Horizontal bar chart",
      stacked_bar: "Stacked bar chart",
      line: "Line chart",
      area: "Area chart",
      pie: "Pie chart",
      donut: "Donut chart",
    }[kind] || "Chart"
  );
}
