import assert from "node:assert/strict";
import { test } from "node:test";

import { Api, ApiError, SseParser } from "../static/js/api.js";

test("server-sent events split on blank lines, across chunks, with multi-line data", () => {
  const p = new SseParser();
  assert.deepEqual(p.push('data: {"a":'), []);
  const events = p.push('1}\n\n: keep-alive\n\nevent: error\r\ndata: {"code":\ndata: 14}\n\n');
  assert.deepEqual(events.map((e) => [e.event, e.data]), [["message", '{"a":1}'], ["error", '{"code":\n14}']]);
});

test("errors carry google.rpc.Status: localized message and field violations", async () => {
  const status = {
    code: 3, message: "積載量を超えます / over capacity",
    details: [
      { "@type": "type.googleapis.com/google.rpc.BadRequest", fieldViolations: [{ field: "edits[0]", description: "x" }] },
      { "@type": "type.googleapis.com/google.rpc.LocalizedMessage", locale: "en-US", message: "Over capacity" },
    ],
  };
  const fetchImpl = async () => new Response(JSON.stringify({ error: status }), { status: 400 });
  const api = new Api({ token: "t", fetchImpl });
  const error = await api.getPlan("organizations/O/plans/P").catch((e) => e);
  assert.ok(error instanceof ApiError);
  assert.equal(error.httpStatus, 400);
  assert.equal(error.localized("en"), "Over capacity");
  assert.equal(error.localized("ja"), "積載量を超えます");
  assert.deepEqual(error.fieldViolations(), [{ field: "edits[0]", description: "x" }]);
});

test("requests send the bearer token, the language and the query", async () => {
  const seen = [];
  const fetchImpl = async (url, init) => {
    seen.push([url, init]);
    return new Response("{}", { status: 200 });
  };
  const api = new Api({ base: "http://h", token: "tok", language: () => "en", fetchImpl });
  await api.listPlans("organizations/O", 'branch = "b"');
  await api.editPlan("organizations/O/plans/P", "e1", [{ moveOrder: { order: "o", vehicle: "v", position: 0 } }],
    { validateOnly: true });
  assert.equal(seen[0][0], "http://h/v1/organizations/O/plans?pageSize=100&filter=branch+%3D+%22b%22");
  assert.equal(seen[0][1].headers.Authorization, "Bearer tok");
  assert.equal(seen[0][1].headers["Accept-Language"], "en");
  assert.equal(seen[1][0], "http://h/v1/organizations/O/plans/P:edit");
  assert.deepEqual(JSON.parse(seen[1][1].body).validateOnly, true);
});

test("a report file downloads as a blob with its Japanese file name; an error is an ApiError", async () => {
  const seen = [];
  const fetchImpl = async (url, init) => {
    seen.push([url, init.headers.Authorization]);
    if (url.includes("D-9")) return new Response(JSON.stringify({ error: { code: 5, message: "なし / none" } }), { status: 404 });
    return new Response(new Uint8Array([37, 80, 68, 70]), {
      status: 200,
      headers: { "Content-Type": "application/pdf", "Content-Disposition": "attachment; filename=\"r.pdf\"; filename*=UTF-8''%E6%97%A5%E5%A0%B1.pdf" },
    });
  };
  const api = new Api({ base: "http://h", token: "tok", fetchImpl });
  const name = "organizations/O/branches/B/dailyReports/2026-12-01";
  const { blob, filename } = await api.downloadReport(name, "PDF");
  assert.equal(filename, "日報.pdf");
  assert.equal(await blob.text(), "%PDF");
  assert.deepEqual(seen[0], [`http://h/v1/${name}:export?format=PDF&alt=media`, "Bearer tok"]);
  const error = await api.downloadReport(`${name}/drivingDiaries/D-9`, "CSV").catch((e) => e);
  assert.ok(error instanceof ApiError);
  assert.equal(error.httpStatus, 404);
});
