// The timeline: one row per vehicle, bars for driving, waiting, service, breaks (休憩) and reloads (回転),
// the stops' time windows as thin marks. Stops are dragged onto another row (or before another stop) to
// move them; the board checks the move with the server before anything is saved.

import { escapeHtml, hhmm, shortName } from "./format.js";
import { enumLabel, t } from "./i18n.js";

function span(rows) {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    for (const item of row.items) {
      if (Number.isFinite(item.start)) start = Math.min(start, item.start);
      if (Number.isFinite(item.end)) end = Math.max(end, item.end);
    }
  }
  if (!Number.isFinite(start)) return null;
  const hour = 3600000;
  return [Math.floor(start / hour) * hour, Math.ceil(end / hour) * hour];
}

/**
 * Draws `rows` (from plan.timeline) into `element`. `labels` gives each vehicle's and driver's label;
 * `onSelect(order)` on a click, `onDrop(order, vehicle, beforeOrder)` on a drop.
 */
export function renderTimeline(element, rows, { labels, selected, onSelect, onDrop, etas = new Map() }) {
  const range = span(rows);
  if (!range) {
    element.innerHTML = "";
    return;
  }
  const [t0, t1] = range;
  const pct = (ms) => (((ms - t0) / (t1 - t0)) * 100).toFixed(3);
  const width = (a, b) => Math.max(((b - a) / (t1 - t0)) * 100, 0.15).toFixed(3);
  const hours = [];
  for (let h = t0; h <= t1; h += 3600000) hours.push(`<span class="hour" style="left:${pct(h)}%">${hhmm(h)}</span>`);
  const html = rows.map((row) => {
    const bars = row.items.map((item) => {
      const style = `left:${pct(item.start)}%;width:${width(item.start, item.end)}%`;
      if (item.type !== "stop") {
        const title = t(item.type === "break" ? "breakLabel" : item.type === "reload" ? "reload" : item.type);
        return `<span class="bar ${item.type}" style="${style}" title="${title} ${hhmm(item.start)}–${hhmm(item.end)}"></span>`;
      }
      const eta = etas.get(item.order);
      const late = eta ? eta.minutesLate > 0 : item.late > 0;
      const windows = item.windows.map(([a, b]) => `<span class="window" style="left:${pct(a)}%;width:${width(a, b)}%"></span>`).join("");
      const cls = ["bar", "stop", late ? "late" : "", item.status === "DONE" ? "done" : "", item.status === "FAILED" ? "failed" : "",
        item.locked ? "locked" : "", item.order === selected ? "selected" : ""].join(" ");
      const title = `${item.number}. ${shortName(item.order)} ${hhmm(item.start)}${late ? ` ${t("late")}` : ""} ${enumLabel("stopStatus", item.status)}`;
      return `${windows}<span class="${cls}" draggable="true" data-order="${escapeHtml(item.order)}" style="${style};background:${row.color}"
        title="${escapeHtml(title)}">${item.number}</span>`;
    }).join("");
    const label = labels(row);
    return `<div class="tl-row" data-vehicle="${escapeHtml(row.vehicle)}">
      <div class="tl-label" style="border-left:6px solid ${row.color}"><b>${escapeHtml(label.vehicle)}</b><small>${escapeHtml(label.driver)}${row.trips > 1 ? ` · ${row.trips}${t("trip")}` : ""}</small></div>
      <div class="tl-track">${bars}</div></div>`;
  }).join("");
  element.innerHTML = `<div class="tl-axis"><div class="tl-label"></div><div class="tl-track">${hours.join("")}</div></div>${html}`;

  element.querySelectorAll(".bar.stop").forEach((bar) => {
    bar.addEventListener("click", () => onSelect(bar.dataset.order));
    bar.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData("text/plain", bar.dataset.order);
      event.dataTransfer.effectAllowed = "move";
    });
  });
  element.querySelectorAll(".tl-row").forEach((rowEl) => {
    rowEl.addEventListener("dragover", (event) => {
      event.preventDefault();
      rowEl.classList.add("drop");
    });
    rowEl.addEventListener("dragleave", () => rowEl.classList.remove("drop"));
    rowEl.addEventListener("drop", (event) => {
      event.preventDefault();
      rowEl.classList.remove("drop");
      const order = event.dataTransfer.getData("text/plain");
      const target = event.target.closest(".bar.stop");
      const before = target && target.dataset.order !== order ? target.dataset.order : null;
      if (order) onDrop(order, rowEl.dataset.vehicle, before);
    });
  });
}
