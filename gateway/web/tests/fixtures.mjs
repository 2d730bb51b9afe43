// A small plan as the gateway returns it (proto3 JSON): two trucks, a break, a reload, one unassigned.
export const ORG = "organizations/ORG-001";
export const DEPOT = [35.7494, 139.669];

export function order(id, lat, lng, windows = []) {
  return {
    name: `${ORG}/orders/${id}`, location: { latitude: lat, longitude: lng },
    timeWindows: windows.map(([a, b]) => ({ startTime: { hours: a }, endTime: { hours: b } })),
    weightKg: 100,
  };
}

export const ORDERS = [
  order("O-1", 35.75, 139.66, [[9, 12]]),
  order("O-2", 35.751, 139.661),
  order("O-3", 35.752, 139.662, [[9, 10]]),
  order("O-4", 35.753, 139.663),
];

// 2026-12-08 JST: 09:00 JST is 00:00Z.
export const PLAN = {
  name: `${ORG}/plans/P-1`, branch: `${ORG}/branches/BR-NRM`, planDate: { year: 2026, month: 12, day: 8 },
  status: "DRAFT", revision: 3, etag: "e3", distanceMeters: "12345", duration: "28800s", cost: 15234.5,
  routes: [
    {
      vehicle: `${ORG}/vehicles/V-101`, driver: `${ORG}/drivers/D-101`, distanceMeters: "8000",
      startTime: "2026-12-08T00:00:00Z", endTime: "2026-12-08T04:00:00Z",
      stops: [
        { sequence: 0, kind: "DEPOT", departureTime: "2026-12-08T00:00:00Z" },
        { sequence: 1, kind: "DELIVERY", order: `${ORG}/orders/O-1`, arrivalTime: "2026-12-08T00:20:00Z",
          serviceStartTime: "2026-12-08T00:20:00Z", departureTime: "2026-12-08T00:30:00Z" },
        { sequence: 2, kind: "BREAK", arrivalTime: "2026-12-08T00:30:00Z", serviceStartTime: "2026-12-08T00:30:00Z",
          departureTime: "2026-12-08T01:00:00Z" },
        { sequence: 3, kind: "RELOAD", arrivalTime: "2026-12-08T01:10:00Z", departureTime: "2026-12-08T01:30:00Z" },
        { sequence: 4, kind: "DELIVERY", order: `${ORG}/orders/O-3`, arrivalTime: "2026-12-08T01:50:00Z",
          serviceStartTime: "2026-12-08T01:50:00Z", departureTime: "2026-12-08T02:00:00Z", locked: true },
        { sequence: 5, kind: "DEPOT", arrivalTime: "2026-12-08T02:20:00Z" },
      ],
    },
    {
      vehicle: `${ORG}/vehicles/V-102`, driver: "", distanceMeters: "4345",
      stops: [
        { sequence: 0, kind: "DEPOT", departureTime: "2026-12-08T00:00:00Z" },
        { sequence: 1, kind: "DELIVERY", order: `${ORG}/orders/O-2`, arrivalTime: "2026-12-07T23:50:00Z",
          serviceStartTime: "2026-12-08T00:00:00Z", departureTime: "2026-12-08T00:10:00Z" },
        { sequence: 2, kind: "DEPOT", arrivalTime: "2026-12-08T00:30:00Z" },
      ],
    },
  ],
  unassigned: [{ order: `${ORG}/orders/O-4`, reason: "CAPACITY", messageJa: "積載量を超えます" }],
};
