// Road geometry from GeoService: routes that follow the streets (ComputeRouteGeometry), and the branch's
// street layer drawn when map tiles cannot load. GeoService has no "list the edges" call, so the street
// layer is the union of road paths across the branch's area: a serpentine tour of a grid of points, by
// rows and by columns, and a star from the depot. Each path is real road geometry from the graph.

/** The loaded graph whose box holds the point (lat, lng), or null. */
export function pickGraph(graphs, point) {
  for (const g of graphs ?? []) {
    // a graph not loaded yet has no area: it cannot be told to cover the point
    if (!g.southWest || !g.northEast) continue;
    const sw = g.southWest;
    const ne = g.northEast;
    if (point[0] >= (sw.latitude ?? -90) && point[0] <= (ne.latitude ?? 90)
      && point[1] >= (sw.longitude ?? -180) && point[1] <= (ne.longitude ?? 180)) return g;
  }
  return null;
}

function graphId(graph) {
  return graph.graphId || String(graph.name ?? "").replace(/^graphs\//, "");
}

/** A leg's GeoJSON (a LineString, or a Feature holding one) → [[lng, lat], ...]. */
export function legCoordinates(geojson) {
  const g = typeof geojson === "string" ? JSON.parse(geojson) : geojson;
  if (!g) return [];
  if (g.type === "Feature") return legCoordinates(g.geometry);
  if (g.type === "LineString") return g.coordinates;
  if (g.type === "MultiLineString") return g.coordinates.flat();
  return [];
}

/** Concatenated coordinates of a route's legs, without repeating the joint points. */
export function joinLegs(legs) {
  const coords = [];
  for (const leg of legs ?? []) {
    for (const c of legCoordinates(leg.geojson)) {
      const last = coords[coords.length - 1];
      if (last && last[0] === c[0] && last[1] === c[1]) continue;
      coords.push(c);
    }
  }
  return coords;
}

/** Grid points of the box, in serpentine order by rows and then by columns. */
export function serpentines(sw, ne, n) {
  const lat = (i) => sw[0] + ((ne[0] - sw[0]) * (i + 0.5)) / n;
  const lng = (j) => sw[1] + ((ne[1] - sw[1]) * (j + 0.5)) / n;
  const rows = [];
  const cols = [];
  for (let i = 0; i < n; i += 1) {
    for (let k = 0; k < n; k += 1) {
      const j = i % 2 ? n - 1 - k : k;
      rows.push([lat(i), lng(j)]);
      cols.push([lat(j), lng(i)]);
    }
  }
  return [rows, cols];
}

const toLatLng = ([latitude, longitude]) => ({ latitude, longitude });

/** The street layer (a FeatureCollection of LineStrings) for the area around `center`. */
export async function streetLayer(api, graph, vehicleClass, center, { halfSpanDeg = 0.009, n = 7 } = {}) {
  const gsw = graph.southWest ?? {};
  const gne = graph.northEast ?? {};
  const sw = [Math.max(center[0] - halfSpanDeg, gsw.latitude ?? -90), Math.max(center[1] - halfSpanDeg * 1.2, gsw.longitude ?? -180)];
  const ne = [Math.min(center[0] + halfSpanDeg, gne.latitude ?? 90), Math.min(center[1] + halfSpanDeg * 1.2, gne.longitude ?? 180)];
  const tours = serpentines(sw, ne, n);
  const star = [];
  for (const p of tours[0]) star.push(center, p);
  star.push(center);
  const answers = await Promise.allSettled(
    [...tours, star].map((points) => api.routeGeometry(graphId(graph), vehicleClass, points.map(toLatLng))),
  );
  const features = [];
  for (const answer of answers) {
    if (answer.status !== "fulfilled") continue;
    for (const leg of answer.value.legs ?? []) {
      const coordinates = legCoordinates(leg.geojson);
      if (coordinates.length > 1) features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates } });
    }
  }
  return { type: "FeatureCollection", features };
}

/** vehicle → road coordinates of its route, for every route of the plan (failures fall back to lines). */
export async function routeGeometries(api, graph, classOf, routePointsByVehicle) {
  const out = new Map();
  await Promise.all([...routePointsByVehicle].map(async ([vehicle, points]) => {
    if (points.length < 2) return;
    try {
      const answer = await api.routeGeometry(graphId(graph), classOf(vehicle), points.map(toLatLng));
      const coords = joinLegs(answer.legs);
      if (coords.length > 1) out.set(vehicle, coords);
    } catch {
      // keep the straight lines for this route
    }
  }));
  return out;
}
