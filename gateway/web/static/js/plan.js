// A DeliveryPlan (proto3 JSON) turned into what the board draws: one GeoJSON feature per route, numbered
// stops, a timeline per vehicle, totals. No DOM here, so node's test runner checks it.

import { dateString, durationSeconds, int, shortName, timeOfDayMs, timestampMs } from "./format.js";

/** A distinct colour for route i (golden-angle hues; 30 routes stay apart). */
export function routeColor(i) {
  const hue = Math.round((i * 137.508) % 360);
  const light = [42, 34, 50][i % 3];
  return `hsl(${hue}, 75%, ${light}%)`;
}

export function indexByName(items) {
  const map = new Map();
  for (const item of items ?? []) map.set(item.name, item);
  return map;
}

function latLng(location) {
  return location ? [location.latitude ?? 0, location.longitude ?? 0] : null;
}

const SERVED = new Set(["DELIVERY", "PICKUP"]);

export function isServed(stop) {
  return SERVED.has(stop.kind);
}

/** Where a stop is: the order's location, the depot for DEPOT/RELOAD, null for a BREAK (stays put). */
export function stopLatLng(stop, orders, depot) {
  if (isServed(stop)) return latLng(orders.get(stop.order)?.location);
  if (stop.kind === "DEPOT" || stop.kind === "RELOAD") return depot;
  return null;
}

/** The [lat, lng] points a route visits in order (breaks dropped, repeats merged). */
export function routePoints(route, orders, depot) {
  const points = [];
  for (const stop of route.stops ?? []) {
    const p = stopLatLng(stop, orders, depot);
    if (!p) continue;
    const last = points[points.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) continue;
    points.push(p);
  }
  return points;
}

/**
 * One LineString feature per route. `geometries` (vehicle → [[lng, lat], ...]) holds road geometry when
 * the plan was made on a road graph; without it the route is drawn stop to stop.
 */
export function routeFeatures(plan, orders, depot, geometries = new Map()) {
  const features = (plan.routes ?? []).map((route, i) => {
    const coords = geometries.get(route.vehicle) ?? routePoints(route, orders, depot).map(([a, b]) => [b, a]);
    return {
      type: "Feature",
      id: route.vehicle,
      properties: {
        vehicle: route.vehicle, driver: route.driver ?? "", color: routeColor(i),
        stops: (route.stops ?? []).filter(isServed).length, distanceMeters: int(route.distanceMeters),
      },
      geometry: { type: "LineString", coordinates: coords },
    };
  });
  return { type: "FeatureCollection", features };
}

/** Minutes after the order's last time window ends (0 when on time or when it has no window). */
export function minutesLate(arrivalMs, order, dateText) {
  const windows = order?.timeWindows ?? [];
  if (!windows.length || !Number.isFinite(arrivalMs)) return 0;
  let best = Number.POSITIVE_INFINITY;
  for (const w of windows) {
    const start = timeOfDayMs(dateText, w.startTime);
    const end = timeOfDayMs(dateText, w.endTime);
    if (arrivalMs <= end) return 0;
    best = Math.min(best, arrivalMs - Math.max(start, end));
  }
  return Math.ceil(best / 60000);
}

/** Numbered stop points (the number is the delivery's place on its route, from 1). */
export function stopFeatures(plan, orders) {
  const dateText = dateString(plan.planDate);
  const features = [];
  (plan.routes ?? []).forEach((route, i) => {
    let n = 0;
    for (const stop of route.stops ?? []) {
      if (!isServed(stop)) continue;
      n += 1;
      const order = orders.get(stop.order);
      if (!order?.location) continue;
      const late = minutesLate(timestampMs(stop.arrivalTime), order, dateText);
      features.push({
        type: "Feature",
        id: stop.order,
        properties: {
          vehicle: route.vehicle, order: stop.order, number: n, color: routeColor(i),
          status: stop.status ?? "PLANNED", locked: Boolean(stop.locked), late,
        },
        geometry: { type: "Point", coordinates: [order.location.longitude ?? 0, order.location.latitude ?? 0] },
      });
    }
  });
  return { type: "FeatureCollection", features };
}

/**
 * Timeline bars per route: driving between stops, waiting before a window opens, service at the stop,
 * breaks (休憩, the 430 rule) and reloads at the depot (回転). Times in epoch ms.
 */
export function timeline(plan, orders) {
  const dateText = dateString(plan.planDate);
  return (plan.routes ?? []).map((route, i) => {
    const items = [];
    let prevEnd = Number.NaN;
    let n = 0;
    let trip = 1;
    for (const stop of route.stops ?? []) {
      const arrive = timestampMs(stop.arrivalTime);
      const start = Number.isFinite(timestampMs(stop.serviceStartTime)) ? timestampMs(stop.serviceStartTime) : arrive;
      const leave = Number.isFinite(timestampMs(stop.departureTime)) ? timestampMs(stop.departureTime) : start;
      if (stop.kind !== "BREAK" && Number.isFinite(prevEnd) && arrive > prevEnd) {
        items.push({ type: "drive", start: prevEnd, end: arrive });
      }
      if (isServed(stop)) {
        n += 1;
        const order = orders.get(stop.order);
        if (start > arrive) items.push({ type: "wait", start: arrive, end: start });
        items.push({
          type: "stop", start, end: Math.max(leave, start), order: stop.order, number: n, trip,
          status: stop.status ?? "PLANNED", locked: Boolean(stop.locked),
          late: minutesLate(arrive, order, dateText),
          windows: (order?.timeWindows ?? []).map((w) => [timeOfDayMs(dateText, w.startTime), timeOfDayMs(dateText, w.endTime)]),
        });
      } else if (stop.kind === "BREAK") {
        items.push({ type: "break", start, end: Math.max(leave, start) });
      } else if (stop.kind === "RELOAD") {
        trip += 1;
        items.push({ type: "reload", start: arrive, end: Math.max(leave, arrive), trip });
      }
      const known = [leave, start, arrive].filter(Number.isFinite);
      if (known.length) prevEnd = Math.max(...known);
    }
    return {
      vehicle: route.vehicle, driver: route.driver ?? "", color: routeColor(i), items,
      start: timestampMs(route.startTime), end: timestampMs(route.endTime), trips: trip,
    };
  });
}

/** The board's totals: km, hours, vehicles used, cost, late stops, stops, unassigned. */
export function planTotals(plan, orders) {
  const dateText = dateString(plan.planDate);
  let stops = 0;
  let late = 0;
  let vehicles = 0;
  for (const route of plan.routes ?? []) {
    const served = (route.stops ?? []).filter(isServed);
    if (served.length) vehicles += 1;
    stops += served.length;
    for (const stop of served) {
      if (minutesLate(timestampMs(stop.arrivalTime), orders.get(stop.order), dateText) > 0) late += 1;
    }
  }
  return {
    distanceMeters: int(plan.distanceMeters), durationSeconds: durationSeconds(plan.duration),
    vehicles, cost: Number(plan.cost ?? 0), late, stops, unassigned: (plan.unassigned ?? []).length,
  };
}

/** The route's items as EditPlan positions count them: served orders, and null for each reload. */
export function layoutItems(route) {
  const items = [];
  for (const stop of route.stops ?? []) {
    if (isServed(stop)) items.push(stop.order);
    else if (stop.kind === "RELOAD") items.push(null);
  }
  return items;
}

/**
 * The MoveOrder edit that puts `order` on `vehicle`'s route just before `beforeOrder` (at the end when
 * `beforeOrder` is empty). Positions count after the order has left its old place, as the server does.
 */
export function moveEdit(plan, order, vehicle, beforeOrder = null) {
  const route = (plan.routes ?? []).find((r) => r.vehicle === vehicle);
  const items = route ? layoutItems(route).filter((x) => x !== order) : [];
  let position = items.length;
  if (beforeOrder) {
    const i = items.indexOf(beforeOrder);
    if (i >= 0) position = i;
  }
  return { moveOrder: { order, vehicle, position } };
}

/** Where an order is on the plan: { vehicle, index } or null when unassigned. */
export function locate(plan, order) {
  for (const route of plan.routes ?? []) {
    const i = layoutItems(route).indexOf(order);
    if (i >= 0) return { vehicle: route.vehicle, index: i };
  }
  return null;
}

/** A short label for a vehicle: its registration number when known, else its id. */
export function vehicleLabel(vehicles, name) {
  const v = vehicles?.get?.(name);
  return v?.registrationNumber || shortName(name);
}
