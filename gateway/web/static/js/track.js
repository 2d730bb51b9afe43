// The consignee's page (/t/{token}): no sign-in; GetShipmentTracking by the link's token shows the
// delivery's status, the chosen time window (時間指定) and the ETA window, live (polled), and the truck
// on the map only when the server sends its position (its last few stops). An expired or unknown link
// shows nothing else.

import { Api } from "./api.js";
import { escapeHtml, hhmm, timestampMs } from "./format.js";
import { enumLabel, initLang, lang, setLang, t } from "./i18n.js";

const POLL_MS = 15000;
const root = document.getElementById("tracking");
const token = decodeURIComponent(location.pathname.replace(/^\/(t|track)\//, ""));
const api = new Api({ language: lang });
let map = null;


function range(a, b) {
  const s = timestampMs(a);
  const e = timestampMs(b);
  return Number.isFinite(s) ? `${hhmm(s)}〜${hhmm(Number.isFinite(e) ? e : s)}` : "—";
}

function draw(tracking) {
  document.title = t("trackingTitle");
  const status = tracking.status ?? "SCHEDULED";
  root.innerHTML = `
    <header class="tracking-head"><h1>${t("trackingTitle")}</h1>
      <button class="link" id="lang-switch">${t("language")}</button></header>
    <section class="card">
      <p class="tracking-status status-${escapeHtml(status)}" id="tracking-status">${enumLabel("trackingStatus", status)}</p>
      <dl>
        <dt>${t("trackingWindow")}</dt><dd id="tracking-window">${range(tracking.windowStartTime, tracking.windowEndTime)}</dd>
        <dt>${t("trackingEta")}</dt><dd id="tracking-eta">${range(tracking.etaStartTime, tracking.etaEndTime)}</dd>
      </dl>
      ${tracking.stopsBefore > 0 ? `<p>${t("trackingStopsBefore", { n: tracking.stopsBefore })}</p>` : ""}
    </section>
    <div id="tracking-map" class="tracking-map ${tracking.vehicleLocation ? "" : "hidden"}"></div>`;
  root.querySelector("#lang-switch").onclick = () => {
    setLang(lang() === "ja" ? "en" : "ja");
    map = null;
    draw(tracking);
  };
  const loc = tracking.vehicleLocation;
  if (loc && globalThis.L) {
    const L = globalThis.L;
    const p = [loc.latitude ?? 0, loc.longitude ?? 0];
    map = L.map(root.querySelector("#tracking-map"), { zoomControl: false }).setView(p, 15);
    const tiles = L.tileLayer(localStorage.getItem("hakobu.tileUrl") || "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png",
      { attribution: "地理院タイル", maxZoom: 18 }).addTo(map);
    // without tiles a lone marker on grey says nothing: show the times only
    let loaded = false;
    tiles.on("tileload", () => { loaded = true; });
    tiles.on("tileerror", () => { if (!loaded) root.querySelector("#tracking-map")?.classList.add("hidden"); });
    L.marker(p, { icon: L.divIcon({ className: "truck-icon", html: "<span></span>", iconSize: [18, 18] }) }).addTo(map);
  }
}

function expired() {
  root.innerHTML = `<section class="card"><p id="tracking-expired">${t("trackingExpired")}</p></section>`;
}

async function poll() {
  try {
    const tracking = await api.shipmentTracking(token);
    draw(tracking);
    globalThis.hakobuTracking = tracking;
    if (["DELIVERED", "FAILED"].includes(tracking.status)) return;
  } catch (error) {
    if (error.httpStatus && error.httpStatus < 500) {
      expired();
      return;
    }
  }
  setTimeout(poll, POLL_MS);
}

initLang();
if (!token) expired();
else poll();
