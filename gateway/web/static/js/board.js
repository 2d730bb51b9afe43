// The plan board (#/board) and the live view (#/live): a branch's plan for a date on the map and the
// timeline, its totals and unassigned orders; optimize, check-then-save edits, undo, publish, compare;
// in live mode the trucks, ETAs, late badges and alerts from StreamFleet.

import { escapeHtml, hoursText, jstDate, km, protoDate, shortName, yen } from "./format.js";
import { routeGeometries, pickGraph, streetLayer } from "./geometry.js";
import { enumLabel, lang, t } from "./i18n.js";
import { LiveState } from "./live.js";
import { PlanMap } from "./map.js";
import { indexByName, locate, moveEdit, planTotals, routeColor, routeFeatures, routePoints, stopFeatures, timeline } from "./plan.js";
import { renderTimeline } from "./timeline.js";
import { renderEditPanel } from "./edits.js";

const POLL_MS = 400;

export async function mount(root, { app, screen, tileUrl, org }) {
  const live = screen === "live";
  root.innerHTML = `
    <div class="board ${live ? "live" : ""}">
      <div class="toolbar">
        <label>${t("branch")} <select id="branch"></select></label>
        <label>${t("date")} <input type="date" id="plan-date" value="${jstDate(live ? 0 : 1)}"></label>
        <button id="load">${t("load")}</button>
        ${live ? "" : `<button id="optimize" class="primary">${t("optimize")}</button>
        <span id="optimize-progress" class="progress"></span>
        <button id="undo" disabled>${t("undo")}</button>
        <button id="publish">${t("publish")}</button>
        <label>${t("compareWith")} <select id="compare-revision"></select></label>
        <button id="compare">${t("compare")}</button>`}
        <span class="spacer"></span>
        <span id="plan-status" class="chip"></span>
        <span id="toast" class="toast" role="status"></span>
      </div>
      <div class="main">
        <div id="map" class="map"></div>
        <aside class="side">
          <section id="totals" class="totals"></section>
          <section id="edit-panel" class="edit-panel"></section>
          <section id="alerts" class="alerts ${live ? "" : "hidden"}"></section>
          <section id="compare-result" class="compare hidden"></section>
          <section><h3>${t("unassigned")} <span id="unassigned-count"></span></h3><ul id="unassigned" class="unassigned"></ul></section>
        </aside>
      </div>
      <div id="timeline" class="timeline"></div>
    </div>`;
  const $ = (sel) => root.querySelector(sel);
  const api = app.api;
  const map = new PlanMap($("#map"), { tileUrl, attribution: app.config.tileAttribution });
  const state = {
    branches: [], branch: null, depot: null, plan: null, orders: new Map(), vehicles: new Map(), drivers: new Map(),
    graph: null, geometries: new Map(), selected: null, undo: [], verdict: null, live: new LiveState(),
    abort: null, disposed: false,
  };
  app.board = state;
  app.map = map;
  map.onStopClick = (order) => select(order);

  function toast(text, error = false) {
    const el = $("#toast");
    el.textContent = text;
    el.classList.toggle("error", error);
  }

  function fail(error) {
    const fields = error.fieldViolations ? error.fieldViolations().map((v) => `${v.field}: ${v.description}`) : [];
    toast([error.localized ? error.localized(lang()) : String(error.message ?? error), ...fields].join(" · "), true);
  }

  const labels = (row) => ({
    vehicle: state.vehicles.get(row.vehicle)?.registrationNumber || shortName(row.vehicle),
    driver: state.drivers.get(row.driver)?.displayName || shortName(row.driver) || t("noDriver"),
  });

  function colorOf(vehicle) {
    const i = (state.plan?.routes ?? []).findIndex((r) => r.vehicle === vehicle);
    return routeColor(Math.max(i, 0));
  }

  function shownPlan() {
    return live ? state.live.overlay(state.plan) : state.plan;
  }

  function drawPlan() {
    const plan = shownPlan();
    if (!plan) {
      map.setSource("routes", { type: "FeatureCollection", features: [] });
      map.setSource("stops", { type: "FeatureCollection", features: [] });
      $("#totals").innerHTML = `<p class="muted">${t("noPlan")}</p>`;
      $("#timeline").innerHTML = "";
      $("#unassigned").innerHTML = "";
      $("#plan-status").textContent = "";
      return;
    }
    const routes = routeFeatures(plan, state.orders, state.depot, state.geometries);
    map.setSource("routes", routes);
    map.setSource("stops", stopFeatures(plan, state.orders));
    const totals = planTotals(plan, state.orders);
    $("#plan-status").textContent = `${t("revision")} ${plan.revision} · ${enumLabel("planStatus", plan.status)}`;
    $("#totals").innerHTML = `<h3>${t("totals")}</h3><dl>
      <dt>${t("distance")}</dt><dd id="total-km">${km(totals.distanceMeters)}</dd>
      <dt>${t("hours")}</dt><dd>${hoursText(totals.durationSeconds)}</dd>
      <dt>${t("vehicles")}</dt><dd id="total-vehicles">${totals.vehicles}</dd>
      <dt>${t("cost")}</dt><dd id="total-cost">${yen(totals.cost)}</dd>
      <dt>${t("stops")}</dt><dd id="total-stops">${totals.stops}</dd>
      <dt>${t("lateStops")}</dt><dd id="total-late" class="${totals.late ? "bad" : ""}">${totals.late}</dd></dl>`;
    $("#unassigned-count").textContent = `(${totals.unassigned})`;
    $("#unassigned").innerHTML = (plan.unassigned ?? []).map((u) => `
      <li data-order="${escapeHtml(u.order)}"><b>${escapeHtml(state.orders.get(u.order)?.placeName || shortName(u.order))}</b>
      <span class="reason">${escapeHtml(lang() === "ja" ? (u.messageJa || enumLabel("unassignedReason", u.reason)) : (u.message || enumLabel("unassignedReason", u.reason)))}</span></li>`).join("");
    $("#unassigned").querySelectorAll("li").forEach((li) => li.addEventListener("click", () => select(li.dataset.order)));
    renderTimeline($("#timeline"), timeline(plan, state.orders), {
      labels, selected: state.selected, etas: live ? state.live.etas : new Map(),
      onSelect: select,
      onDrop: (order, vehicle, before) => {
        select(order);
        check([moveEdit(state.plan, order, vehicle, before)]);
      },
    });
    if (!live) drawRevisions();
  }

  async function drawRevisions() {
    const select = $("#compare-revision");
    if (!select || !state.plan) return;
    try {
      const { revisions = [] } = await api.listRevisions(state.plan.name);
      select.innerHTML = revisions.filter((r) => r.revision !== state.plan.revision)
        .map((r) => `<option value="${r.revision}">${t("revision")} ${r.revision} ${escapeHtml(r.description ?? "")}</option>`).join("");
    } catch {
      select.innerHTML = "";
    }
  }

  function drawLive() {
    map.setSource("vehicles", state.live.vehicleFeatures(colorOf, (v) => labels({ vehicle: v, driver: "" }).vehicle));
    const alerts = state.live.alerts;
    $("#alerts").innerHTML = `<h3>${t("alerts")}</h3>` + (alerts.length
      ? `<ul>${alerts.map((a) => `<li class="alert ${escapeHtml(a.kind)}"><b>${enumLabel("alertKind", a.kind)}</b>
          ${escapeHtml(labels({ vehicle: a.vehicle, driver: "" }).vehicle)} ${escapeHtml(a.message ?? "")}</li>`).join("")}</ul>`
      : `<p class="muted">${t("noAlerts")}</p>`);
  }

  function select(order) {
    state.selected = order;
    state.verdict = null;
    renderEditPanel($("#edit-panel"), panelContext());
    drawPlan();
  }

  function panelContext() {
    return {
      plan: state.plan, order: state.selected, orders: state.orders, vehicles: state.vehicles, drivers: state.drivers,
      verdict: state.verdict, readOnly: live, labels, check, save,
    };
  }

  /** EditPlan with validate_only: the checker's verdict, nothing saved. */
  async function check(edits) {
    const started = performance.now();
    state.verdict = { edits, pending: true };
    renderEditPanel($("#edit-panel"), panelContext());
    try {
      const sent = performance.now();
      const response = await api.editPlan(state.plan.name, state.plan.etag, edits, { validateOnly: true });
      state.verdict = { edits, violations: response.violations ?? [], changes: response.changes ?? [], preview: response.plan,
        requestMs: performance.now() - sent };
    } catch (error) {
      state.verdict = { edits, error };
    }
    renderEditPanel($("#edit-panel"), panelContext());
    state.verdict.shownMs = performance.now() - started;
    return state.verdict;
  }

  function inverseOf(edits) {
    return edits.map((edit) => {
      if (edit.moveOrder) {
        const where = locate(state.plan, edit.moveOrder.order);
        return where ? { moveOrder: { order: edit.moveOrder.order, vehicle: where.vehicle, position: where.index } }
          : { unassignOrder: { order: edit.moveOrder.order } };
      }
      if (edit.setDriver) {
        const route = state.plan.routes.find((r) => r.vehicle === edit.setDriver.vehicle);
        return { setDriver: { vehicle: edit.setDriver.vehicle, driver: route?.driver ?? "" } };
      }
      if (edit.lockOrder) return { lockOrder: { order: edit.lockOrder.order, locked: !edit.lockOrder.locked } };
      return null;
    }).filter(Boolean).reverse();
  }

  async function save(edits, { isUndo = false } = {}) {
    try {
      const inverse = inverseOf(edits);
      const response = await api.editPlan(state.plan.name, state.plan.etag, edits, {});
      if (!response.saved) {
        state.verdict = { edits, violations: response.violations ?? [], notSaved: true };
        renderEditPanel($("#edit-panel"), panelContext());
        toast(t("notSaved"), true);
        return false;
      }
      if (isUndo) state.undo.pop();
      else state.undo.push(inverse);
      $("#undo").disabled = !state.undo.length;
      await setPlan(response.plan);
      state.verdict = null;
      renderEditPanel($("#edit-panel"), panelContext());
      toast(t("saved", { revision: response.plan.revision }));
      return true;
    } catch (error) {
      fail(error);
      return false;
    }
  }

  async function setPlan(plan) {
    const travelChanged = plan && state.plan?.name === plan.name;
    state.plan = plan;
    if (!travelChanged) state.geometries = new Map();
    drawPlan();
    // interactive from here: stops, timeline and totals are drawn; road geometry replaces the lines next
    if (plan && state.readyAt === undefined) state.readyAt = performance.now();
    await followRoads();
  }

  /** Road geometry for every route when the plan was made on a road graph. */
  async function followRoads() {
    const plan = state.plan;
    if (!plan || !(plan.travel === "TRAVEL_MODE_ROAD" || plan.travel === 2)) return;
    await refreshGraph();
    if (!state.graph || state.plan !== plan) return;
    const points = new Map((plan.routes ?? []).map((r) => [r.vehicle, routePoints(r, state.orders, state.depot)]));
    const classOf = (v) => state.vehicles.get(v)?.vehicleClass || (state.graph.vehicleClasses ?? [])[0] || "";
    state.geometries = await routeGeometries(api, state.graph, classOf, points);
    if (state.plan === plan && !state.disposed) drawPlan();
  }

  async function loadBranch(generation) {
    const branch = state.branches.find((b) => b.name === $("#branch").value) ?? state.branches[0];
    if (!branch) return;
    const filter = `branch = "${branch.name}"`;
    const [vehicles, drivers] = await Promise.all([
      api.listVehicles(org, filter).catch(() => ({})), api.listDrivers(org, filter).catch(() => ({})),
    ]);
    if (generation !== state.generation) return; // another branch was chosen meanwhile
    localStorage.setItem("hakobu.branch", branch.name);
    state.branch = branch;
    state.depot = [branch.location?.latitude ?? 0, branch.location?.longitude ?? 0];
    map.map.setView(state.depot, 15, { animate: false });
    map.setSource("depot", { type: "FeatureCollection", features: [{ type: "Feature", properties: { label: branch.displayName },
      geometry: { type: "Point", coordinates: [state.depot[1], state.depot[0]] } }] });
    state.vehicles = indexByName(vehicles.vehicles);
    state.drivers = indexByName(drivers.drivers);
    state.graph = null;
    await refreshGraph(generation);
  }

  /** The road graph around the branch (GeoService lists a graph's area once it is loaded: after the
   * first plan on it), and the street layer drawn from it. */
  async function refreshGraph(generation = state.generation) {
    if (state.graph) return;
    const graphs = await api.listGraphs().catch(() => ({}));
    const graph = pickGraph(graphs.graphs, state.depot);
    if (!graph || generation !== state.generation || state.graph) return;
    state.graph = graph;
    const vehicleClass = [...state.vehicles.values()][0]?.vehicleClass || (graph.vehicleClasses ?? [])[0] || "";
    streetLayer(api, graph, vehicleClass, state.depot).then((roads) => {
      if (!state.disposed && generation === state.generation) map.setSource("roads", roads);
    });
  }

  async function loadPlan(generation) {
    const date = $("#plan-date").value;
    state.selected = null;
    state.verdict = null;
    state.undo = [];
    if ($("#undo")) $("#undo").disabled = true;
    renderEditPanel($("#edit-panel"), panelContext());
    const [orders, plans] = await Promise.all([
      api.listAllOrders(org, `branch = "${state.branch.name}" AND delivery_date = "${date}"`),
      api.listPlans(org, `branch = "${state.branch.name}" AND plan_date = "${date}"`),
    ]);
    const found = (plans.plans ?? [])[0];
    const plan = found ? await api.getPlan(found.name) : null;
    if (generation !== state.generation) return; // a newer choice of branch or date is loading
    state.orders = indexByName(orders);
    state.plan = null;
    await setPlan(plan);
    const stops = map.sources.stops;
    if (stops?.features.length) map.fit(stops);
  }

  async function reload() {
    state.generation = (state.generation ?? 0) + 1;
    const generation = state.generation;
    try {
      if (state.branch?.name !== $("#branch").value) await loadBranch(generation);
      if (generation !== state.generation) return;
      await loadPlan(generation);
      if (live) await startLive();
    } catch (error) {
      fail(error);
    }
  }

  async function optimize() {
    const button = $("#optimize");
    button.disabled = true;
    const progress = $("#optimize-progress");
    progress.textContent = t("optimizing");
    const started = Date.now();
    try {
      const seconds = Number(localStorage.getItem("hakobu.optimizeSeconds")) || 0;
      // on the roads (the server plans on straight lines, and says so, when no road graph covers the branch)
      const options = { force: true, travel: "TRAVEL_MODE_ROAD" };
      if (seconds > 0) options.timeLimit = `${seconds}s`;
      let op = await api.optimizePlan(state.branch.name, protoDate($("#plan-date").value), options);
      while (!op.done && !state.disposed) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        op = await api.getOperation(op.name);
        const meta = op.metadata ?? {};
        // the improving cost of the search, as the operation's metadata has it (absent before the first plan)
        const best = meta.bestCost !== undefined
          ? ` · ${t("bestSoFar", { cost: yen(meta.bestCost), n: meta.improvements ?? 0, served: meta.served ?? 0 })}`
          : "";
        progress.textContent = `${t("optimizing")} ${Math.round((Date.now() - started) / 1000)}s${best}`;
      }
      if (op.error) throw Object.assign(new Error(op.error.message), { localized: () => op.error.message });
      const plan = op.response;
      state.orders = indexByName(await api.listAllOrders(org, `branch = "${state.branch.name}" AND delivery_date = "${$("#plan-date").value}"`));
      state.plan = null;
      await setPlan(plan?.routes ? plan : await api.getPlan(plan?.name ?? op.metadata?.plan));
      progress.textContent = `${t("optimized")} · ${t("bestCost")} ${yen(state.plan.cost)}`;
      const stops = map.sources.stops;
      if (stops?.features.length) map.fit(stops);
    } catch (error) {
      progress.textContent = "";
      fail(error);
    } finally {
      button.disabled = false;
    }
  }

  async function publish() {
    try {
      await setPlan(await api.publishPlan(state.plan.name, state.plan.etag));
      toast(t("published"));
    } catch (error) {
      fail(error);
    }
  }

  async function compare() {
    const revision = Number($("#compare-revision").value);
    if (!revision) return;
    try {
      const diff = await api.comparePlans(state.plan.name, revision, state.plan.name, state.plan.revision);
      const a = diff.a ?? {};
      const b = diff.b ?? {};
      const dKm = (Number(b.distanceMeters ?? 0) - Number(a.distanceMeters ?? 0)) / 1000;
      const dCost = Number(b.cost ?? 0) - Number(a.cost ?? 0);
      const moved = (diff.changedRoutes ?? []).map((r) => `<li><b>${escapeHtml(labels({ vehicle: r.vehicle, driver: "" }).vehicle)}</b>
        ${(r.addedOrders ?? []).length ? `${t("added")}: ${r.addedOrders.map(shortName).join(", ")}` : ""}
        ${(r.removedOrders ?? []).length ? `${t("removed")}: ${r.removedOrders.map(shortName).join(", ")}` : ""}
        ${r.resequenced ? t("resequenced") : ""}</li>`).join("");
      const el = $("#compare-result");
      el.classList.remove("hidden");
      el.innerHTML = `<h3>${t("compare")}: ${t("revision")} ${revision} → ${state.plan.revision}
        <button class="link" id="compare-close">${t("close")}</button></h3>
        <p>${t("kmDiff")}: <b id="compare-km">${dKm >= 0 ? "+" : ""}${dKm.toFixed(1)} km</b> ·
        ${t("costDiff")}: <b id="compare-cost">${dCost >= 0 ? "+" : "−"}${yen(Math.abs(dCost))}</b></p><ul>${moved}</ul>`;
      el.querySelector("#compare-close").onclick = () => el.classList.add("hidden");
    } catch (error) {
      fail(error);
    }
  }

  async function startLive() {
    state.abort?.abort();
    state.live = new LiveState();
    try {
      const { vehicleStates = [] } = await api.listVehicleStates(state.branch.name);
      vehicleStates.forEach((s) => state.live.setVehicle(s));
    } catch {
      // the stream below still fills it
    }
    if (state.plan) {
      try {
        const { stopEvents = [] } = await api.listStopEvents(state.plan.name);
        stopEvents.forEach((stopEvent) => state.live.apply({ stopEvent }));
        drawPlan();
      } catch {
        // the stream brings the next ones
      }
    }
    drawLive();
    const abort = new AbortController();
    state.abort = abort;
    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          await api.streamFleet(state.branch.name, (update) => {
            const what = state.live.apply(update);
            if (what === "stop" || what === "vehicle") drawPlan();
            drawLive();
          }, abort.signal);
        } catch {
          // reconnect below
        }
        if (!abort.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
      }
    };
    run();
  }

  try {
    const { branches = [] } = await api.listBranches(org);
    state.branches = branches;
    // the branch chosen last time in this browser, else one with a plan on the date, else the user's own
    let wanted = localStorage.getItem("hakobu.branch");
    if (!wanted) {
      const { plans = [] } = await api.listPlans(org, `plan_date = "${$("#plan-date").value}"`).catch(() => ({}));
      wanted = plans[0]?.branch || (app.user.branches ?? [])[0];
    }
    const preferred = state.branches.find((b) => b.name === wanted) ?? state.branches[0];
    $("#branch").innerHTML = state.branches.map((b) => `<option value="${escapeHtml(b.name)}" ${b === preferred ? "selected" : ""}>
      ${escapeHtml(b.displayName)}</option>`).join("");
  } catch (error) {
    fail(error);
  }
  $("#load").onclick = reload;
  $("#branch").onchange = reload;
  $("#plan-date").onchange = reload;
  if (!live) {
    $("#optimize").onclick = optimize;
    $("#publish").onclick = publish;
    $("#compare").onclick = compare;
    $("#undo").onclick = () => state.undo.length && save(state.undo[state.undo.length - 1], { isUndo: true });
  }
  await reload();

  return {
    state,
    setTileUrl: (url) => map.setTileUrl(url),
    dispose() {
      state.disposed = true;
      state.abort?.abort();
      map.remove();
    },
  };
}

