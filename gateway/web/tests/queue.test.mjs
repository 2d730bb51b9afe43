import assert from "node:assert/strict";
import { test } from "node:test";

import { EventQueue, retryable } from "../static/js/queue.js";

function memoryStorage() {
  const data = new Map();
  return { getItem: (k) => data.get(k) ?? null, setItem: (k, v) => data.set(k, String(v)) };
}

test("a lost answer is retried with the same request id; the order of taps is kept", async () => {
  const storage = memoryStorage();
  const sent = [];
  let online = false;
  const queue = new EventQueue({
    storage,
    send: async (item) => {
      sent.push(item.requestId);
      if (!online) throw new TypeError("network down");
    },
  });
  const a = queue.add({ type: "ARRIVED" });
  const b = queue.add({ type: "DELIVERED" });
  assert.equal(await queue.flush(), 2);
  assert.deepEqual(sent, [a.requestId]);
  // a new page (reload) reads the same queue
  const again = new EventQueue({ storage, send: queue.send });
  online = true;
  assert.equal(await again.flush(), 0);
  assert.deepEqual(sent, [a.requestId, a.requestId, b.requestId]);
  assert.equal(again.items().length, 0);
});

test("a request the server refuses for good is dropped and reported, the rest go on", async () => {
  const storage = memoryStorage();
  const queue = new EventQueue({
    storage,
    send: async (item) => {
      if (item.payload.bad) throw Object.assign(new Error("invalid"), { httpStatus: 400 });
    },
  });
  queue.add({ bad: true });
  queue.add({ bad: false });
  assert.equal(await queue.flush(), 0);
  assert.equal(queue.rejected.length, 1);
});

test("which failures are retried", () => {
  assert.equal(retryable(new TypeError("x")), true);
  assert.equal(retryable({ httpStatus: 503 }), true);
  assert.equal(retryable({ httpStatus: 429 }), true);
  assert.equal(retryable({ httpStatus: 400 }), false);
  assert.equal(retryable({ httpStatus: 409 }), false);
});

test("a flush of an empty queue does not stop later flushes", async () => {
  const sent = [];
  const queue = new EventQueue({ storage: memoryStorage(), send: async (item) => sent.push(item.payload) });
  assert.equal(await queue.flush(), 0);
  queue.add("a");
  assert.equal(await queue.flush(), 0);
  assert.deepEqual(sent, ["a"]);
});

test("two flushes at once send each item once", async () => {
  const sent = [];
  const queue = new EventQueue({ storage: memoryStorage(), send: async (item) => { await null; sent.push(item.payload); } });
  queue.add("a");
  queue.add("b");
  await Promise.all([queue.flush(), queue.flush()]);
  assert.deepEqual(sent, ["a", "b"]);
});
