// Proto3 JSON values (Timestamp, Duration, Date, TimeOfDay) to numbers and back, and their display.
// Japan has one time zone and no summer time: JST is UTC+9 all year, so no time-zone database is needed.

const JST_MS = 9 * 3600 * 1000;

/** "3600s" / "1.5s" → seconds (0 when missing). */
export function durationSeconds(value) {
  if (value == null || value === "") return 0;
  if (typeof value === "number") return value;
  return Number.parseFloat(String(value).replace(/s$/, "")) || 0;
}

/** seconds → "3600s" */
export function toDuration(seconds) {
  return `${Math.round(seconds)}s`;
}

/** RFC 3339 timestamp → epoch milliseconds (NaN when missing). */
export function timestampMs(value) {
  return value ? Date.parse(value) : Number.NaN;
}

/** epoch ms → "HH:MM" in JST */
export function hhmm(ms) {
  if (!Number.isFinite(ms)) return "--:--";
  const d = new Date(ms + JST_MS);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

/** google.type.Date → "YYYY-MM-DD" */
export function dateString(date) {
  if (!date) return "";
  const p = (n, w = 2) => String(n ?? 0).padStart(w, "0");
  return `${p(date.year, 4)}-${p(date.month)}-${p(date.day)}`;
}

/** "YYYY-MM-DD" → google.type.Date */
export function protoDate(text) {
  const [year, month, day] = text.split("-").map(Number);
  return { year, month, day };
}

/** The JST calendar date `days` after now, as "YYYY-MM-DD". */
export function jstDate(days = 0, nowMs = Date.now()) {
  const d = new Date(nowMs + JST_MS + days * 86400000);
  return d.toISOString().slice(0, 10);
}

/** google.type.TimeOfDay on a JST date → epoch ms */
export function timeOfDayMs(dateText, tod) {
  const [y, m, d] = dateText.split("-").map(Number);
  const minutes = (tod?.hours ?? 0) * 60 + (tod?.minutes ?? 0);
  return Date.UTC(y, m - 1, d) - JST_MS + minutes * 60000;
}

/** google.type.TimeOfDay → "HH:MM" */
export function todText(tod) {
  return `${String(tod?.hours ?? 0).padStart(2, "0")}:${String(tod?.minutes ?? 0).padStart(2, "0")}`;
}

export function km(meters) {
  return `${(Number(meters || 0) / 1000).toFixed(1)} km`;
}

export function hoursText(seconds) {
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}`;
}

export function yen(value) {
  return `¥${Math.round(Number(value || 0)).toLocaleString("ja-JP")}`;
}

/** The last path segment of a resource name: "organizations/O/vehicles/V-1" → "V-1". */
export function shortName(name) {
  if (!name) return "";
  const i = name.lastIndexOf("/");
  return i < 0 ? name : name.slice(i + 1);
}

/** int64 fields arrive as strings in proto3 JSON. */
export function int(value) {
  return value == null ? 0 : Number(value);
}

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
