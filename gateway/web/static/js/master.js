// Master data (#/master): branches, vehicles, drivers, customers and orders as tables, and the import of
// orders from a CSV file as Japanese companies export it from Excel (Shift_JIS, or UTF-8 with or without
// BOM; Japanese headers). The file is sent as it is: the server decodes it, checks every row and
// imports all rows or none, reporting each bad row.

import { dateString, escapeHtml, shortName, todText } from "./format.js";
import { lang, t } from "./i18n.js";

const TABS = {
  branches: {
    list: (api, org) => api.listBranches(org).then((r) => r.branches ?? []),
    columns: [["code", (x) => x.code], ["name", (x) => x.displayName], ["address", (x) => x.address]],
  },
  vehicles: {
    list: (api, org) => api.listVehicles(org).then((r) => r.vehicles ?? []),
    columns: [["code", (x) => shortName(x.name)], ["vehicle", (x) => x.registrationNumber], ["branch", (x) => shortName(x.branch)],
      ["weight", (x) => `${x.vehicleClass} · ${x.payloadKg} kg`]],
  },
  drivers: {
    list: (api, org) => api.listDrivers(org).then((r) => r.drivers ?? []),
    columns: [["code", (x) => shortName(x.name)], ["name", (x) => x.displayName], ["branch", (x) => shortName(x.branch)]],
  },
  customers: {
    list: (api, org) => api.listCustomers(org).then((r) => r.customers ?? []),
    columns: [["code", (x) => shortName(x.name)], ["name", (x) => x.displayName], ["address", (x) => x.address]],
  },
  orders: {
    list: (api, org) => api.listOrders(org).then((r) => r.orders ?? []),
    columns: [["code", (x) => shortName(x.name)], ["name", (x) => x.placeName], ["date", (x) => dateString(x.deliveryDate)],
      ["timeWindow", (x) => (x.timeWindows ?? []).map((w) => `${todText(w.startTime)}–${todText(w.endTime)}`).join(", ")],
      ["weight", (x) => `${x.weightKg ?? 0} kg`], ["branch", (x) => shortName(x.branch)]],
  },
};

/** ArrayBuffer → base64 (for a bytes field in proto3 JSON). */
function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export async function mount(root, { app, org }) {
  const api = app.api;
  root.innerHTML = `<main class="master">
    <nav class="tabs">${Object.keys(TABS).map((k) => `<button data-tab="${k}">${t(k)}</button>`).join("")}</nav>
    <section id="import" class="card hidden">
      <h3>CSV ${lang() === "ja" ? "取込" : "import"}</h3>
      <label>${t("branch")} <select id="import-branch"></select></label>
      <input type="file" id="import-file" accept=".csv,text/csv">
      <button id="import-check">${t("check")}</button><button id="import-run" class="primary">${lang() === "ja" ? "取込" : "Import"}</button>
      <div id="import-result"></div>
    </section>
    <div id="master-table" class="table-wrap"></div></main>`;
  const $ = (sel) => root.querySelector(sel);

  async function show(tab) {
    root.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === tab));
    $("#import").classList.toggle("hidden", tab !== "orders");
    $("#master-table").innerHTML = t("loading");
    try {
      const rows = await TABS[tab].list(api, org);
      const cols = TABS[tab].columns;
      $("#master-table").innerHTML = `<table><thead><tr>${cols.map(([k]) => `<th>${t(k)}</th>`).join("")}</tr></thead>
        <tbody>${rows.map((r) => `<tr>${cols.map(([, f]) => `<td>${escapeHtml(f(r) ?? "")}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
    } catch (error) {
      $("#master-table").innerHTML = `<p class="error">${escapeHtml(error.localized ? error.localized(lang()) : error.message)}</p>`;
    }
  }

  async function runImport(validateOnly) {
    const file = $("#import-file").files[0];
    if (!file) return;
    const result = $("#import-result");
    try {
      const answer = await api.request("POST", `/v1/${org}/orders:import`, {
        parent: org, branch: $("#import-branch").value, csv: base64(await file.arrayBuffer()), validateOnly,
      });
      result.innerHTML = `<p class="ok">✔ ${answer.imported ?? (answer.orders ?? []).length} ${t("orders")}</p>`;
    } catch (error) {
      const rows = error.fieldViolations ? error.fieldViolations() : [];
      result.innerHTML = `<p class="error">${escapeHtml(error.localized ? error.localized(lang()) : error.message)}</p>
        <ul class="violations">${rows.map((v) => `<li><b>${escapeHtml(v.field)}</b> ${escapeHtml(v.description)}</li>`).join("")}</ul>`;
    }
  }

  root.querySelectorAll(".tabs button").forEach((b) => { b.onclick = () => show(b.dataset.tab); });
  $("#import-check").onclick = () => runImport(true);
  $("#import-run").onclick = () => runImport(false);
  try {
    const branches = await TABS.branches.list(api, org);
    $("#import-branch").innerHTML = branches.map((b) => `<option value="${escapeHtml(b.name)}">${escapeHtml(b.displayName)}</option>`).join("");
  } catch {
    // the table below shows the error
  }
  await show("orders");
  return { dispose() {} };
}
