// The REST gateway, as the pages use it: proto3 JSON in and out, `Authorization: Bearer <token>`,
// errors as google.rpc.Status, server streams as server-sent events read from fetch (EventSource cannot
// send the Authorization header).

export class ApiError extends Error {
  constructor(httpStatus, status) {
    super(status?.message || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.code = status?.code ?? 0;
    this.details = status?.details ?? [];
  }

  /** The message in `language` from a LocalizedMessage detail, else the status message. */
  localized(language) {
    for (const d of this.details) {
      if (String(d["@type"] ?? "").endsWith("google.rpc.LocalizedMessage") && String(d.locale ?? "").startsWith(language)) {
        return d.message;
      }
    }
    const text = this.message;
    const cut = text.indexOf(" / ");
    if (cut < 0) return text;
    return language === "ja" ? text.slice(0, cut) : text.slice(cut + 3);
  }

  /** BadRequest field violations: [{field, description}]. */
  fieldViolations() {
    const out = [];
    for (const d of this.details) {
      for (const v of d.fieldViolations ?? []) out.push({ field: v.field, description: v.description });
    }
    return out;
  }
}

/** Splits a server-sent-event stream into events. Feed it text chunks; it returns the complete events. */
export class SseParser {
  constructor() {
    this.buffer = "";
  }

  push(chunk) {
    this.buffer += chunk.replace(/\r\n?/g, "\n");
    const events = [];
    let cut;
    while ((cut = this.buffer.indexOf("\n\n")) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      const event = { event: "message", data: "", id: null };
      const data = [];
      for (const line of block.split("\n")) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "data") data.push(value);
        else if (field === "event") event.event = value;
        else if (field === "id") event.id = value;
      }
      if (!data.length) continue;
      event.data = data.join("\n");
      events.push(event);
    }
    return events;
  }
}

export class Api {
  constructor({ base = "", token = null, language = () => "ja", fetchImpl = null } = {}) {
    this.base = base;
    this.token = token;
    this.language = language;
    this.fetch = fetchImpl ?? globalThis.fetch.bind(globalThis);
  }

  headers(extra = {}) {
    const h = { Accept: "application/json", "Accept-Language": this.language(), ...extra };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  async request(method, path, body = undefined, query = undefined) {
    let url = this.base + path;
    if (query) {
      const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""));
      if ([...qs].length) url += `?${qs}`;
    }
    const init = { method, headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.fetch(url, init);
    const text = await response.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: text };
    }
    if (!response.ok) throw new ApiError(response.status, json?.error ?? json);
    return json;
  }

  /** Reads a server stream: calls onMessage(json) per event until the stream ends or `signal` aborts. */
  async stream(method, path, body, onMessage, signal) {
    const init = {
      method, signal,
      headers: this.headers({ Accept: "text/event-stream", ...(body === undefined ? {} : { "Content-Type": "application/json" }) }),
    };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await this.fetch(this.base + path, init);
    if (!response.ok) {
      const text = await response.text();
      let json = null;
      try { json = JSON.parse(text); } catch { json = { message: text }; }
      throw new ApiError(response.status, json?.error ?? json);
    }
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        const data = JSON.parse(event.data);
        if (event.event === "error") throw new ApiError(500, data?.error ?? data);
        onMessage(data, event);
      }
    }
  }

  // identity
  login(organization, login, password) {
    return this.request("POST", "/v1/auth:login", { organization, login, password });
  }
  logout() { return this.request("POST", "/v1/auth:logout", {}); }
  me() { return this.request("GET", "/v1/users/me"); }

  // fleet
  listBranches(org) { return this.request("GET", `/v1/${org}/branches`, undefined, { pageSize: 1000 }); }
  getBranch(name) { return this.request("GET", `/v1/${name}`); }
  listVehicles(org, filter) { return this.request("GET", `/v1/${org}/vehicles`, undefined, { pageSize: 1000, filter }); }
  listDrivers(org, filter) { return this.request("GET", `/v1/${org}/drivers`, undefined, { pageSize: 1000, filter }); }
  listCustomers(org, filter) { return this.request("GET", `/v1/${org}/customers`, undefined, { pageSize: 1000, filter }); }
  listOrders(org, filter, pageToken) {
    return this.request("GET", `/v1/${org}/orders`, undefined, { pageSize: 1000, filter, pageToken });
  }
  async listAllOrders(org, filter) {
    const out = [];
    let token = "";
    do {
      const page = await this.listOrders(org, filter, token);
      out.push(...(page.orders ?? []));
      token = page.nextPageToken ?? "";
    } while (token);
    return out;
  }

  // plans
  driverDay(driver) { return this.request("GET", `/v1/${driver}:day`); }
  listPlans(org, filter) { return this.request("GET", `/v1/${org}/plans`, undefined, { pageSize: 100, filter }); }
  getPlan(name, revision) { return this.request("GET", `/v1/${name}`, undefined, { revision }); }
  listRevisions(name) { return this.request("GET", `/v1/${name}:listRevisions`); }
  optimizePlan(branch, planDate, options = {}) {
    return this.request("POST", `/v1/${branch}/plans:optimize`, { branch, planDate, ...options });
  }
  getOperation(name) { return this.request("GET", `/v1/${name}`); }
  editPlan(name, etag, edits, { validateOnly = false, acceptViolations = false } = {}) {
    return this.request("POST", `/v1/${name}:edit`, { name, etag, edits, validateOnly, acceptViolations });
  }
  publishPlan(name, etag) { return this.request("POST", `/v1/${name}:publish`, { name, etag }); }
  comparePlans(a, aRevision, b, bRevision) {
    return this.request("GET", `/v1/${a}:compare`, undefined, { aRevision, b, bRevision });
  }

  // geo
  listGraphs() { return this.request("GET", "/v1/graphs"); }

  // reports: the daily report as JSON, and a report file's bytes (?alt=media) as a Blob
  getDailyReport(name) { return this.request("GET", `/v1/${name}`); }
  async downloadReport(name, format, encoding) {
    const qs = new URLSearchParams({ format, alt: "media", ...(encoding ? { encoding } : {}) });
    const response = await this.fetch(`${this.base}/v1/${name}:export?${qs}`, { headers: this.headers({ Accept: "*/*" }) });
    if (!response.ok) {
      const text = await response.text();
      let json = null;
      try { json = JSON.parse(text); } catch { json = { message: text }; }
      throw new ApiError(response.status, json?.error ?? json);
    }
    const disposition = response.headers.get("Content-Disposition") ?? "";
    const match = /filename\*=UTF-8''([^;]+)/.exec(disposition);
    return { blob: await response.blob(), filename: match ? decodeURIComponent(match[1]) : `report.${format.toLowerCase()}` };
  }
  routeGeometry(graph, vehicleClass, locations) {
    return this.request("POST", `/v1/graphs/${graph}:computeRouteGeometry`, { graph, vehicleClass, locations });
  }

  // tracking
  recordStopEvent(plan, stopEvent, requestId) {
    return this.request("POST", `/v1/${plan}/stopEvents`, { parent: plan, stopEvent, requestId });
  }
  listStopEvents(plan) { return this.request("GET", `/v1/${plan}/stopEvents`, undefined, { pageSize: 1000 }); }
  listVehicleStates(branch) { return this.request("GET", `/v1/${branch}/vehicleStates`); }
  streamFleet(branch, onUpdate, signal) {
    return this.stream("GET", `/v1/${branch}:streamFleet`, undefined, onUpdate, signal);
  }
  shipmentTracking(token) { return this.request("GET", `/v1/trackingLinks/${encodeURIComponent(token)}`); }
}
