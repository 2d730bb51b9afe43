// The edit panel: the selected stop, where it can go (vehicle and place), its lock, the route's driver,
// and the checker's verdict for the pending change (violations in Japanese: which rule, by how much)
// before anything is saved.

import { escapeHtml, shortName, todText } from "./format.js";
import { enumLabel, lang, t } from "./i18n.js";
import { layoutItems, locate, moveEdit } from "./plan.js";

function violationText(v) {
  const rule = enumLabel("issueCode", v.code);
  const message = lang() === "ja" ? v.messageJa || v.message : v.message || v.messageJa;
  const amount = v.limit && v.limit !== "0" ? ` (${v.amount} / ${v.limit})` : "";
  return `<li class="violation" data-code="${escapeHtml(v.code)}"><b>${escapeHtml(rule)}</b>${escapeHtml(amount)}
    <span>${escapeHtml(message ?? "")}</span></li>`;
}

function verdictHtml(verdict) {
  if (!verdict) return "";
  if (verdict.pending) return `<p class="verdict pending" id="verdict">${t("checking")}</p>`;
  if (verdict.error) {
    const text = verdict.error.localized ? verdict.error.localized(lang()) : verdict.error.message;
    return `<div class="verdict bad" id="verdict"><p>${escapeHtml(text)}</p></div>`;
  }
  const violations = verdict.violations ?? [];
  if (!violations.length) {
    return `<div class="verdict ok" id="verdict"><p>✔ ${t("verdictOk")}</p>
      <button class="primary" id="save-edit">${t("saveEdit")}</button></div>`;
  }
  return `<div class="verdict bad" id="verdict"><p>✖ ${verdict.notSaved ? t("notSaved") : t("verdictBad")}</p>
    <ul>${violations.map(violationText).join("")}</ul></div>`;
}

export function renderEditPanel(element, ctx) {
  const { plan, order, orders, vehicles, drivers, verdict, readOnly, labels } = ctx;
  if (!plan || !order) {
    element.innerHTML = "";
    return;
  }
  const info = orders.get(order) ?? {};
  const where = locate(plan, order);
  const stop = plan.routes?.flatMap((r) => r.stops ?? []).find((s) => s.order === order);
  const windows = (info.timeWindows ?? []).map((w) => `${todText(w.startTime)}–${todText(w.endTime)}`).join(", ");
  const head = `<h3>${escapeHtml(info.placeName || shortName(order))}</h3>
    <p class="muted">${escapeHtml(info.address ?? "")}</p>
    <p>${t("timeWindow")}: ${escapeHtml(windows || "—")} · ${t("weight")}: ${Number(info.weightKg ?? 0)} kg
    ${stop?.locked ? ` · <span class="lock-tag">${t("locked")}</span>` : ""}</p>`;
  if (readOnly) {
    element.innerHTML = head;
    return;
  }
  const vehicleOptions = [...new Set([...(plan.routes ?? []).map((r) => r.vehicle), ...vehicles.keys()])]
    .map((v) => `<option value="${escapeHtml(v)}" ${where?.vehicle === v ? "selected" : ""}>${escapeHtml(labels({ vehicle: v, driver: "" }).vehicle)}</option>`)
    .join("");
  const route = (plan.routes ?? []).find((r) => r.vehicle === where?.vehicle);
  const driverOptions = [`<option value="">${t("noDriver")}</option>`, ...[...drivers.values()].map((d) =>
    `<option value="${escapeHtml(d.name)}" ${route?.driver === d.name ? "selected" : ""}>${escapeHtml(d.displayName || shortName(d.name))}</option>`)].join("");
  element.innerHTML = `${head}
    <div class="edit-row"><label>${t("moveTo")} <select id="move-vehicle">${vehicleOptions}</select></label>
      <label>${t("position")} <select id="move-before"></select></label>
      <button id="check-move">${t("check")}</button></div>
    <div class="edit-row"><button id="lock-toggle">${stop?.locked ? t("unlock") : t("lock")}</button>
      ${route ? `<label>${t("setDriver")} <select id="set-driver">${driverOptions}</select></label>` : ""}</div>
    ${verdictHtml(verdict)}`;
  const $ = (sel) => element.querySelector(sel);
  const fillPositions = () => {
    const target = (plan.routes ?? []).find((r) => r.vehicle === $("#move-vehicle").value);
    const items = target ? layoutItems(target).filter((x) => x && x !== order) : [];
    $("#move-before").innerHTML = items.map((x, i) => `<option value="${escapeHtml(x)}">${i + 1}. ${escapeHtml(orders.get(x)?.placeName || shortName(x))} ${lang() === "ja" ? "の前" : "(before)"}</option>`).join("")
      + `<option value="" selected>${lang() === "ja" ? "最後" : "last"}</option>`;
  };
  fillPositions();
  $("#move-vehicle").onchange = fillPositions;
  $("#check-move").onclick = () => ctx.check([moveEdit(plan, order, $("#move-vehicle").value, $("#move-before").value || null)]);
  $("#lock-toggle").onclick = () => ctx.check([{ lockOrder: { order, locked: !stop?.locked } }]);
  if ($("#set-driver")) $("#set-driver").onchange = () => ctx.check([{ setDriver: { vehicle: route.vehicle, driver: $("#set-driver").value } }]);
  if ($("#save-edit")) $("#save-edit").onclick = () => ctx.save(verdict.edits);
}
