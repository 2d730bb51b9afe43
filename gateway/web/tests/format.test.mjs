import assert from "node:assert/strict";
import { test } from "node:test";

import { dateString, durationSeconds, hhmm, jstDate, protoDate, timeOfDayMs } from "../static/js/format.js";
import { enumLabel, MESSAGES, t } from "../static/js/i18n.js";

test("times show in JST, whatever the browser's zone", () => {
  assert.equal(hhmm(Date.parse("2026-12-08T00:05:00Z")), "09:05");
  assert.equal(timeOfDayMs("2026-12-08", { hours: 9 }), Date.parse("2026-12-08T00:00:00Z"));
  // 23:30Z on the 7th is already the 8th in Japan
  assert.equal(jstDate(0, Date.parse("2026-12-07T23:30:00Z")), "2026-12-08");
  assert.equal(jstDate(1, Date.parse("2026-12-07T10:00:00Z")), "2026-12-08");
});

test("proto3 JSON durations and dates", () => {
  assert.equal(durationSeconds("3600s"), 3600);
  assert.equal(durationSeconds("1.5s"), 1.5);
  assert.equal(durationSeconds(undefined), 0);
  assert.equal(dateString({ year: 2026, month: 1, day: 2 }), "2026-01-02");
  assert.deepEqual(protoDate("2026-01-02"), { year: 2026, month: 1, day: 2 });
});

test("every message exists in both languages; placeholders are filled", () => {
  assert.deepEqual(Object.keys(MESSAGES.ja).sort(), Object.keys(MESSAGES.en).sort());
  assert.equal(t("saved", { revision: 4 }, "ja"), "保存しました(第4版)");
  assert.equal(t("saved", { revision: 4 }, "en"), "Saved (revision 4)");
  assert.equal(enumLabel("issueCode", "CONTINUOUS_DRIVING", "ja"), "連続運転(430)超過");
  assert.equal(enumLabel("issueCode", "NEW_CODE", "ja"), "NEW_CODE");
});
