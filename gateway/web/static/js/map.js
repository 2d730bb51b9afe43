// The map: Leaflet (vendored, canvas renderer: 500 stops and 30 routes draw in one canvas) over 地理院タイル.
// Each layer is fed from a named GeoJSON "source" (roads, routes, stops, depot, vehicles) that tests read
// back through `window.hakobu.map.sources`. When tiles cannot be loaded (offline, tests) the roads
// source, the branch's streets from GeoService, is shown so routes never sit on a blank background.

import { t } from "./i18n.js";

const L = globalThis.L;

export class PlanMap {
  constructor(element, { tileUrl, attribution, center = [35.7494, 139.669], zoom = 14 }) {
    this.element = element;
    this.renderer = L.canvas({ padding: 0.3 });
    this.map = L.map(element, { preferCanvas: true, renderer: this.renderer, zoomControl: true, zoomSnap: 0.25 }).setView(center, zoom);
    this.sources = {};
    this.layers = {};
    this.tilesOk = false;
    this.tileErrors = 0;
    this.onStopClick = null;
    this.banner = L.DomUtil.create("div", "map-banner hidden", element);
    this.banner.textContent = t("tilesOffline");
    this.tiles = L.tileLayer(tileUrl, { attribution, maxZoom: 18, crossOrigin: false });
    this.tiles.on("tileload", () => {
      this.tilesOk = true;
      this.refreshRoads();
    });
    this.tiles.on("tileerror", () => {
      this.tileErrors += 1;
      this.refreshRoads();
    });
    this.tiles.addTo(this.map);
    this.map.createPane("roads").style.zIndex = 350;
    this.map.createPane("routes").style.zIndex = 420;
    this.map.createPane("stops").style.zIndex = 450;
    if (globalThis.navigator && globalThis.navigator.onLine === false) this.tileErrors = 1;
    // a tile server that neither answers nor fails (a closed network dropping packets) counts as failed
    this.tileTimer = setTimeout(() => {
      if (!this.tilesOk) {
        this.tileErrors += 1;
        this.refreshRoads();
      }
    }, 4000);
  }

  /** Roads are drawn when no tile has loaded and at least one failed (or the browser is offline). */
  roadsVisible() {
    return !this.tilesOk && this.tileErrors > 0;
  }

  refreshRoads() {
    const layer = this.layers.roads;
    const show = this.roadsVisible();
    this.banner.classList.toggle("hidden", !show);
    if (!layer) return;
    if (show && !this.map.hasLayer(layer)) layer.addTo(this.map);
    if (!show && this.map.hasLayer(layer)) this.map.removeLayer(layer);
  }

  setSource(name, collection) {
    this.sources[name] = collection;
    if (this.layers[name]) this.map.removeLayer(this.layers[name]);
    const layer = this.build(name, collection);
    this.layers[name] = layer;
    if (name === "roads") this.refreshRoads();
    else layer.addTo(this.map);
  }

  build(name, collection) {
    const renderer = this.renderer;
    if (name === "roads") {
      return L.geoJSON(collection, {
        pane: "roads", renderer, interactive: false,
        style: () => ({ color: "#9aa0a6", weight: 2, opacity: 0.9 }),
      });
    }
    if (name === "routes") {
      return L.geoJSON(collection, {
        pane: "routes", renderer,
        style: (f) => ({ color: f.properties.color, weight: 4, opacity: f.properties.dim ? 0.15 : 0.85 }),
      });
    }
    if (name === "stops") {
      return L.geoJSON(collection, {
        pane: "stops",
        pointToLayer: (f, latlng) => {
          const p = f.properties;
          const marker = L.circleMarker(latlng, {
            renderer, pane: "stops", radius: 7, weight: p.late > 0 ? 3 : 1.5,
            color: p.late > 0 ? "#d93025" : "#ffffff", fillColor: p.color, fillOpacity: p.status === "DONE" ? 0.35 : 0.95,
          });
          marker.bindTooltip(`${p.number}`, { permanent: false, direction: "top" });
          marker.on("click", () => this.onStopClick?.(p.order));
          return marker;
        },
      });
    }
    if (name === "depot") {
      return L.geoJSON(collection, {
        pointToLayer: (f, latlng) => L.marker(latlng, {
          icon: L.divIcon({ className: "depot-icon", html: "<span>営</span>", iconSize: [26, 26] }), title: f.properties.label,
        }),
      });
    }
    if (name === "vehicles") {
      return L.geoJSON(collection, {
        pointToLayer: (f, latlng) => L.marker(latlng, {
          icon: L.divIcon({
            className: `truck-icon${f.properties.late ? " late" : ""}`,
            html: `<span style="background:${f.properties.color}"></span>`, iconSize: [18, 18],
          }),
          title: f.properties.label,
        }),
      });
    }
    return L.geoJSON(collection);
  }

  fit(collection) {
    const layer = L.geoJSON(collection);
    const bounds = layer.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, { padding: [20, 20], animate: false });
  }

  setTileUrl(url) {
    this.tilesOk = false;
    this.tileErrors = 0;
    this.tiles.setUrl(url);
  }

  invalidate() {
    this.map.invalidateSize();
  }

  remove() {
    clearTimeout(this.tileTimer);
    this.map.remove();
  }
}
