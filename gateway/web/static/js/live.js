// The live view's state, fed by StreamFleet updates (and a first ListVehicleStates): where each truck
// is, the ETA and lateness of its stops, the alerts, and the stop statuses the drivers' taps changed.
// No DOM here.

const EVENT_STATUS = { ARRIVED: "ARRIVED", DELIVERED: "DONE", FAILED: "FAILED" };

/** The plan stop status a stop event leads to (null when the event does not change it). */
export function stopStatusOf(eventType) {
  return EVENT_STATUS[eventType] ?? null;
}

export class LiveState {
  constructor() {
    this.vehicles = new Map();
    this.alerts = [];
    this.stopStatus = new Map();
    this.etas = new Map();
  }

  setVehicle(state) {
    this.vehicles.set(state.vehicle, state);
    for (const eta of state.etas ?? []) this.etas.set(eta.order, eta);
    for (const alert of state.alerts ?? []) this.addAlert(alert);
  }

  addAlert(alert) {
    const key = `${alert.kind}|${alert.vehicle}|${alert.order ?? ""}`;
    this.alerts = [alert, ...this.alerts.filter((a) => `${a.kind}|${a.vehicle}|${a.order ?? ""}` !== key)].slice(0, 50);
  }

  /** Applies one FleetUpdate; returns what changed: "vehicle", "stop" or "alert". */
  apply(update) {
    if (update.vehicleState) {
      this.setVehicle(update.vehicleState);
      return "vehicle";
    }
    if (update.stopEvent) {
      const status = stopStatusOf(update.stopEvent.type);
      if (status && update.stopEvent.order) this.stopStatus.set(update.stopEvent.order, status);
      return "stop";
    }
    if (update.alert) {
      this.addAlert(update.alert);
      return "alert";
    }
    return null;
  }

  /** The plan with the live stop statuses written into its stops (a copy; the plan is not changed). */
  overlay(plan) {
    if (!this.stopStatus.size) return plan;
    return {
      ...plan,
      routes: (plan.routes ?? []).map((r) => ({
        ...r,
        stops: (r.stops ?? []).map((s) => (this.stopStatus.has(s.order) ? { ...s, status: this.stopStatus.get(s.order) } : s)),
      })),
    };
  }

  /** Trucks as GeoJSON points (those with a known position). */
  vehicleFeatures(colorOf, labelOf) {
    const features = [];
    for (const [vehicle, state] of this.vehicles) {
      const p = state.lastPosition?.location;
      if (!p) continue;
      features.push({
        type: "Feature", id: vehicle,
        properties: { vehicle, color: colorOf(vehicle), label: labelOf(vehicle), late: (state.minutesLate ?? 0) > 0, motion: state.motion },
        geometry: { type: "Point", coordinates: [p.longitude ?? 0, p.latitude ?? 0] },
      });
    }
    return { type: "FeatureCollection", features };
  }
}
