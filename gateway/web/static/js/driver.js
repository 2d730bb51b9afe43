// The driver's page (phone width): the day's stops of the driver's route in order, with address, time
// window and load, a link to navigation, and one tap for 到着 / 配達完了 / 不在・失敗 / 荷待ち / 休憩. Taps go
// through the EventQueue: kept in localStorage, retried on a bad connection, recorded once.

import { dateString, escapeHtml, hhmm, shortName, timestampMs, todText } from "./format.js";
import { enumLabel, lang, t } from "./i18n.js";
import { isServed } from "./plan.js";
import { EventQueue } from "./queue.js";

const RETRY_MS = 5000;
const LOCAL_KEY = "hakobu.driver.status";

function localStatuses() {
  try {
    return JSON.parse(localStorage.getItem(LOCAL_KEY) ?? "{}");
  } catch {
    return {};
  }
}

function setLocalStatus(order, status) {
  const all = localStatuses();
  all[order] = status;
  localStorage.setItem(LOCAL_KEY, JSON.stringify(all));
}

/** A photo file → base64 JPEG at most 1280 px wide (keeps the queued request small). */
async function photoBase64(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1280 / bitmap.width);
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL("image/jpeg", 0.7).split(",")[1];
}

function signaturePad(canvas) {
  const ctx = canvas.getContext("2d");
  let drawing = false;
  let used = false;
  ctx.lineWidth = 2.5;
  ctx.lineCap = "round";
  const pos = (e) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    used = true;
    ctx.beginPath();
    ctx.moveTo(...pos(e));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    ctx.lineTo(...pos(e));
    ctx.stroke();
  });
  window.addEventListener("pointerup", () => { drawing = false; });
  return {
    clear: () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      used = false;
    },
    value: () => (used ? canvas.toDataURL("image/png").split(",")[1] : null),
  };
}

export async function mount(root, { app }) {
  const api = app.api;
  root.innerHTML = `<main class="driver">
    <h2>${t("todayStops")} <small id="driver-date"></small></h2>
    <p id="queue-status" class="queue"></p>
    <p id="driver-error" class="error"></p>
    <div class="driver-actions">
      <button data-event="WAITING_STARTED">${t("waitStart")}</button><button data-event="WAITING_ENDED">${t("waitEnd")}</button>
      <button data-event="BREAK_STARTED">${t("breakStart")}</button><button data-event="BREAK_ENDED">${t("breakEnd")}</button>
    </div>
    <ol id="driver-stops" class="driver-stops"><li>${t("loading")}</li></ol>
    <dialog id="pod-dialog"><form method="dialog" id="pod-form">
      <h3 id="pod-title"></h3>
      <div id="fail-fields"><label>${t("reason")} <select name="reason">
        ${["NOT_HOME", "REFUSED", "ADDRESS_UNKNOWN", "DAMAGED", "OTHER"].map((r) => `<option value="${r}">${enumLabel("failureReason", r)}</option>`).join("")}
      </select></label><input name="note" placeholder="${t("reason")}"></div>
      <div id="pod-fields"><label>${t("receiver")} <input name="receiver"></label>
        <label>${t("photo")} <input type="file" name="photo" accept="image/*" capture="environment"></label>
        <label>${t("signature")}</label><canvas id="signature" width="340" height="140"></canvas>
        <button type="button" id="sig-clear" class="link">${t("clear")}</button></div>
      <div class="row"><button value="send" class="primary" id="pod-send">${t("send")}</button><button value="cancel">${t("cancel")}</button></div>
    </form></dialog>
  </main>`;
  const $ = (sel) => root.querySelector(sel);
  const state = { plan: null, route: null, orders: new Map(), disposed: false, timer: null };
  app.driver = state;
  const queue = new EventQueue({
    storage: localStorage,
    send: (item) => api.recordStopEvent(item.payload.plan, item.payload.stopEvent, item.requestId),
  });
  state.queue = queue;
  const showQueue = (n = queue.items().length) => {
    const refused = queue.rejected.map((r) => (r.error.localized ? r.error.localized(lang()) : r.error.message));
    $("#queue-status").textContent = (n ? t("queued", { n }) : t("allSent"))
      + (refused.length ? ` · ${t("refused", { text: refused.join(" / ") })}` : "");
    $("#queue-status").classList.toggle("pending", n > 0);
  };
  queue.onChange(showQueue);
  showQueue();
  const pad = signaturePad($("#signature"));
  $("#sig-clear").onclick = () => pad.clear();

  function tap(type, order = "", extra = {}) {
    if (!state.route) return;
    const stopEvent = {
      type, vehicle: state.route.vehicle, order, source: "DRIVER", eventTime: new Date().toISOString(), ...extra,
    };
    queue.add({ plan: state.plan.name, stopEvent });
    const status = { ARRIVED: "ARRIVED", DELIVERED: "DONE", FAILED: "FAILED" }[type];
    if (order && status) setLocalStatus(order, status);
    draw();
    queue.flush().then(showQueue);
  }

  function draw() {
    const list = $("#driver-stops");
    if (!state.route) {
      list.innerHTML = `<li class="muted" id="no-route">${t("noRouteToday")}</li>`;
      return;
    }
    const local = localStatuses();
    let n = 0;
    list.innerHTML = (state.route.stops ?? []).filter(isServed).map((stop) => {
      n += 1;
      const order = state.orders.get(stop.order) ?? {};
      const status = local[stop.order] ?? stop.status ?? "PLANNED";
      const loc = order.location;
      const nav = loc ? `https://www.google.com/maps/dir/?api=1&destination=${loc.latitude},${loc.longitude}` : "";
      const windows = (order.timeWindows ?? []).map((w) => `${todText(w.startTime)}–${todText(w.endTime)}`).join(", ");
      return `<li class="stop-card status-${status}" data-order="${escapeHtml(stop.order)}">
        <div class="stop-head"><span class="num">${n}</span><b>${escapeHtml(order.placeName || shortName(stop.order))}</b>
          <span class="badge">${enumLabel("stopStatus", status)}</span></div>
        <div class="muted">${escapeHtml(order.address ?? "")}</div>
        <div>${t("eta")} ${hhmm(timestampMs(stop.arrivalTime))} · ${t("timeWindow")} ${escapeHtml(windows || "—")} · ${Number(order.weightKg ?? 0)} kg</div>
        <div class="stop-buttons">
          ${nav ? `<a class="button" href="${nav}" target="_blank" rel="noopener">${t("navigate")}</a>` : ""}
          <button data-act="ARRIVED">${t("arrived")}</button>
          <button data-act="DELIVERED" class="primary">${t("delivered")}</button>
          <button data-act="FAILED" class="danger">${t("failed")}</button>
        </div></li>`;
    }).join("");
    list.querySelectorAll(".stop-card button").forEach((b) => {
      const order = b.closest(".stop-card").dataset.order;
      b.onclick = () => (b.dataset.act === "ARRIVED" ? tap("ARRIVED", order) : openDialog(b.dataset.act, order));
    });
  }

  function openDialog(type, order) {
    const dialog = $("#pod-dialog");
    const form = $("#pod-form");
    form.reset();
    pad.clear();
    $("#pod-title").textContent = `${t(type === "DELIVERED" ? "delivered" : "failed")}: ${state.orders.get(order)?.placeName || shortName(order)}`;
    $("#fail-fields").classList.toggle("hidden", type !== "FAILED");
    $("#pod-fields").classList.toggle("hidden", type !== "DELIVERED");
    dialog.onclose = async () => {
      if (dialog.returnValue !== "send") return;
      const data = new FormData(form);
      if (type === "FAILED") {
        tap("FAILED", order, { failureReason: data.get("reason"), failureNote: data.get("note") ?? "" });
        return;
      }
      const proof = { receiverName: data.get("receiver") ?? "" };
      const file = data.get("photo");
      if (file && file.size) {
        proof.photo = await photoBase64(file);
        proof.photoContentType = "image/jpeg";
      }
      const signature = pad.value();
      if (signature) {
        proof.signature = signature;
        proof.signatureContentType = "image/png";
      }
      tap("DELIVERED", order, { proof });
    };
    dialog.showModal();
  }

  root.querySelectorAll(".driver-actions button").forEach((b) => { b.onclick = () => tap(b.dataset.event); });

  try {
    // the route in the nearest published plan from today on, with its orders (GetDriverDay)
    const day = await api.driverDay(app.user.driver);
    if (day.plan) {
      state.plan = { name: day.plan, planDate: day.planDate };
      state.route = day.route;
      $("#driver-date").textContent = dateString(day.planDate);
      state.orders = new Map((day.orders ?? []).map((o) => [o.name, o]));
    }
  } catch (error) {
    $("#driver-error").textContent = error.localized ? error.localized(lang()) : error.message;
  }
  draw();
  const retry = () => queue.flush().then(showQueue);
  state.timer = setInterval(retry, RETRY_MS);
  window.addEventListener("online", retry);
  retry();
  return {
    state,
    dispose() {
      state.disposed = true;
      clearInterval(state.timer);
      window.removeEventListener("online", retry);
    },
  };
}
