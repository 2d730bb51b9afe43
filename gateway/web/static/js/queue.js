// The driver's taps, kept until the server has them. Each tap gets its request_id when it is made, and
// keeps it through every retry: RecordStopEvent is idempotent on request_id, so a tap whose answer was
// lost on a bad connection is sent again and still recorded once. The queue lives in localStorage, so
// it survives a reload or a closed tab.

const KEY = "hakobu.driver.queue";

export function newRequestId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return "r-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
}

/** Errors worth another try: no answer at all, or the server/gateway unavailable or overloaded. */
export function retryable(error) {
  if (!error || error.httpStatus === undefined) return true; // network failure (fetch threw)
  return error.httpStatus >= 500 || error.httpStatus === 408 || error.httpStatus === 429;
}

export class EventQueue {
  /** `send(item)` posts one item and throws on failure; `storage` is localStorage or a stand-in. */
  constructor({ send, storage, key = KEY, now = () => Date.now() }) {
    this.send = send;
    this.storage = storage;
    this.key = key;
    this.now = now;
    this.flushing = null;
    this.rejected = [];
    this.listeners = new Set();
  }

  items() {
    try {
      return JSON.parse(this.storage.getItem(this.key) ?? "[]");
    } catch {
      return [];
    }
  }

  save(items) {
    this.storage.setItem(this.key, JSON.stringify(items));
    for (const fn of this.listeners) fn(items.length);
  }

  onChange(fn) {
    this.listeners.add(fn);
  }

  /** Queues one request (its request_id fixed now) and tries to send everything. */
  add(payload) {
    const item = { requestId: newRequestId(), payload, queuedAt: this.now(), attempts: 0 };
    this.save([...this.items(), item]);
    return item;
  }

  /**
   * Sends the queued items in order, one at a time. Stops at the first retryable failure (order matters:
   * 到着 before 配達完了); drops an item the server refused for good and remembers why.
   * Returns the number still queued.
   */
  async flush() {
    if (this.flushing) return this.flushing;
    const run = this.drain();
    this.flushing = run;
    try {
      return await run;
    } finally {
      if (this.flushing === run) this.flushing = null;
    }
  }

  async drain() {
    for (;;) {
      const items = this.items();
      if (!items.length) return 0;
      const [head] = items;
      try {
        await this.send(head);
      } catch (error) {
        if (retryable(error)) {
          head.attempts += 1;
          this.save(items);
          return items.length;
        }
        this.rejected.push({ item: head, error });
      }
      this.save(this.items().filter((x) => x.requestId !== head.requestId));
    }
  }
}
