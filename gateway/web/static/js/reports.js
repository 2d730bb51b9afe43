// Reports (#/reports): a branch's daily report (plan against actual per vehicle, the 改善基準告示 checks)
// and its files (PDF with one 運転日報 per page, CSV for Excel) as downloads.

import { escapeHtml } from "./format.js";
import { lang, t } from "./i18n.js";

function today() {
  const now = new Date(Date.now() + 9 * 3600 * 1000); // Japan time
  return now.toISOString().slice(0, 10);
}

function km(m) { return ((Number(m) || 0) / 1000).toFixed(1); }
function hours(d) {
  const s = parseInt(String(d ?? "0").replace("s", ""), 10) || 0;
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}`;
}
function pct(x) { return x === undefined || x === null ? "" : `${(x * 100).toFixed(1)}%`; }

export async function mount(root, { app, org }) {
  const api = app.api;
  root.innerHTML = `<main class="reports">
    <section class="card row">
      <label>${t("branch")} <select id="report-branch"></select></label>
      <label>${t("date")} <input type="date" id="report-date" value="${today()}"></label>
      <button id="report-load" class="primary">${t("load")}</button>
      <button id="report-pdf">PDF ${t("reportDownload")}</button>
      <button id="report-csv">CSV ${t("reportDownload")}</button>
    </section>
    <div id="report-body" class="table-wrap"></div></main>`;
  const $ = (sel) => root.querySelector(sel);
  const branches = (await api.listBranches(org)).branches ?? [];
  $("#report-branch").innerHTML = branches
    .map((b) => `<option value="${escapeHtml(b.name)}">${escapeHtml(b.displayName ?? b.name)}</option>`).join("");
  const name = () => `${$("#report-branch").value}/dailyReports/${$("#report-date").value}`;
  const fail = (error) => {
    $("#report-body").innerHTML = `<p class="error">${escapeHtml(error.localized ? error.localized(lang()) : error.message)}</p>`;
  };

  async function load() {
    $("#report-body").innerHTML = t("loading");
    try {
      const r = await api.getDailyReport(name());
      const rows = (r.vehicles ?? []).map((v) => `<tr><td>${escapeHtml(v.vehicleId)}</td><td>${escapeHtml(v.driverName ?? "")}</td>
        <td>${km(v.plannedDistanceMeters)} / ${km(v.actualDistanceMeters)}</td><td>${hours(v.plannedDuration)} / ${hours(v.restraint)}</td>
        <td>${hours(v.driving)}</td><td>${v.onTime ?? 0}/${v.late ?? 0}/${v.failed ?? 0}/${v.pending ?? 0}</td>
        <td>${pct(v.loadFactor)}</td><td>${(v.violations ?? []).length}</td></tr>`).join("");
      const rules = [...(r.vehicles ?? []).flatMap((v) => v.violations ?? []), ...(r.dutyViolations ?? [])]
        .map((x) => `<li>${escapeHtml(lang() === "ja" ? x.messageJa : x.message)}</li>`).join("");
      $("#report-body").innerHTML = `
        ${r.provisional ? `<p class="warning">${t("reportProvisional")}</p>` : ""}
        <table><thead><tr><th>${t("vehicle")}</th><th>${t("driver")}</th><th>${t("reportDistance")}</th>
          <th>${t("reportHours")}</th><th>${t("reportDriving")}</th><th>${t("reportStops")}</th>
          <th>${t("reportLoad")}</th><th>${t("reportRules")}</th></tr></thead><tbody>${rows}</tbody></table>
        <h3>${t("reportViolations")}</h3><ul>${rules || `<li>${t("reportNone")}</li>`}</ul>`;
    } catch (error) {
      fail(error);
    }
  }

  async function download(format) {
    try {
      const { blob, filename } = await api.downloadReport(name(), format);
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = filename;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    } catch (error) {
      fail(error);
    }
  }

  $("#report-load").onclick = load;
  $("#report-pdf").onclick = () => download("PDF");
  $("#report-csv").onclick = () => download("CSV");
  if (branches.length) await load();
  return { dispose() {} };
}
