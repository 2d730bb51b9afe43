import assert from "node:assert/strict";
import { test } from "node:test";

import { indexByName, layoutItems, locate, minutesLate, moveEdit, planTotals, routeColor, routeFeatures,
  routePoints, stopFeatures, timeline } from "../static/js/plan.js";
import { DEPOT, ORDERS, ORG, PLAN } from "./fixtures.mjs";

const orders = indexByName(ORDERS);

test("one line feature per route, through the depot, the stops and the reload", () => {
  const fc = routeFeatures(PLAN, orders, DEPOT);
  assert.equal(fc.features.length, 2);
  const [first] = fc.features;
  assert.equal(first.properties.vehicle, `${ORG}/vehicles/V-101`);
  // depot, O-1, (break stays at O-1), depot (reload), O-3, depot: GeoJSON order is [lng, lat]
  assert.deepEqual(first.geometry.coordinates, [[139.669, 35.7494], [139.66, 35.75], [139.669, 35.7494],
    [139.662, 35.752], [139.669, 35.7494]]);
  assert.notEqual(fc.features[0].properties.color, fc.features[1].properties.color);
});

test("road geometry replaces the straight lines when given", () => {
  const road = [[139.669, 35.7494], [139.665, 35.749], [139.66, 35.75]];
  const fc = routeFeatures(PLAN, orders, DEPOT, new Map([[`${ORG}/vehicles/V-101`, road]]));
  assert.deepEqual(fc.features[0].geometry.coordinates, road);
  assert.equal(fc.features[1].geometry.coordinates.length, 3);
});

test("route points drop breaks and merge repeats", () => {
  assert.equal(routePoints(PLAN.routes[1], orders, DEPOT).length, 3);
});

test("stops are numbered per route and late ones are marked", () => {
  const fc = stopFeatures(PLAN, orders);
  assert.deepEqual(fc.features.map((f) => [f.properties.order.split("/").pop(), f.properties.number]),
    [["O-1", 1], ["O-3", 2], ["O-2", 1]]);
  // O-3 must arrive by 10:00 JST (01:00Z) and arrives at 01:50Z: 50 minutes late
  assert.equal(fc.features[1].properties.late, 50);
  assert.equal(fc.features[1].properties.locked, true);
  assert.equal(fc.features[0].properties.late, 0);
});

test("minutesLate is 0 without a window or before its end", () => {
  assert.equal(minutesLate(Date.parse("2026-12-08T05:00:00Z"), orders.get(`${ORG}/orders/O-2`), "2026-12-08"), 0);
  assert.equal(minutesLate(Date.parse("2026-12-08T02:59:00Z"), orders.get(`${ORG}/orders/O-1`), "2026-12-08"), 0);
  assert.equal(minutesLate(Date.parse("2026-12-08T03:01:00Z"), orders.get(`${ORG}/orders/O-1`), "2026-12-08"), 1);
});

test("timeline shows driving, waiting, service, the break and the second trip", () => {
  const [first, second] = timeline(PLAN, orders);
  assert.deepEqual(first.items.map((x) => x.type), ["drive", "stop", "break", "drive", "reload", "drive", "stop", "drive"]);
  assert.equal(first.trips, 2);
  assert.equal(first.items[6].trip, 2);
  assert.equal(first.items[2].end - first.items[2].start, 30 * 60000);
  // V-102 arrives 10 minutes before service starts: a wait bar
  assert.deepEqual(second.items.map((x) => x.type), ["wait", "stop", "drive"]);
});

test("totals count served stops, vehicles, late stops and unassigned orders", () => {
  assert.deepEqual(planTotals(PLAN, orders), {
    distanceMeters: 12345, durationSeconds: 28800, vehicles: 2, cost: 15234.5, late: 1, stops: 3, unassigned: 1,
  });
});

test("move positions count reloads and leave the moved order out first", () => {
  assert.deepEqual(layoutItems(PLAN.routes[0]), [`${ORG}/orders/O-1`, null, `${ORG}/orders/O-3`]);
  const o2 = `${ORG}/orders/O-2`;
  assert.deepEqual(moveEdit(PLAN, o2, `${ORG}/vehicles/V-101`, `${ORG}/orders/O-3`).moveOrder.position, 2);
  assert.deepEqual(moveEdit(PLAN, o2, `${ORG}/vehicles/V-101`).moveOrder.position, 3);
  // within the same route: O-1 moved before nothing goes last, after O-1 has been taken out
  assert.deepEqual(moveEdit(PLAN, `${ORG}/orders/O-1`, `${ORG}/vehicles/V-101`).moveOrder.position, 2);
  assert.deepEqual(moveEdit(PLAN, o2, `${ORG}/vehicles/V-999`).moveOrder.position, 0);
  assert.deepEqual(locate(PLAN, `${ORG}/orders/O-3`), { vehicle: `${ORG}/vehicles/V-101`, index: 2 });
  assert.equal(locate(PLAN, `${ORG}/orders/O-4`), null);
});

test("thirty route colours are all different", () => {
  assert.equal(new Set(Array.from({ length: 30 }, (_, i) => routeColor(i))).size, 30);
});

test("the road graph is the loaded one whose area holds the branch", async () => {
  const { pickGraph } = await import("../static/js/geometry.js");
  const graphs = [
    { name: "graphs/other" },
    { name: "graphs/far", southWest: { latitude: 34, longitude: 135 }, northEast: { latitude: 35, longitude: 136 } },
    { name: "graphs/nerima", southWest: { latitude: 35.74, longitude: 139.65 }, northEast: { latitude: 35.76, longitude: 139.69 } },
  ];
  assert.equal(pickGraph(graphs, [35.7494, 139.669]).name, "graphs/nerima");
  assert.equal(pickGraph(graphs, [36, 140]), null);
});
