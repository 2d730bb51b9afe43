"""The JSON bodies of the backends' replies, kept by the reply's exact bytes.

Turning a large reply into proto3 JSON (a plan: 113 messages, 332 timestamps) costs milliseconds; the
same reply comes back again and again while the resource is unchanged. The key is the reply's bytes
themselves (and the RPC), so a body is reused only for a byte-identical reply: nothing can be stale,
and a body never goes to a caller whose backend answered anything else (another organization or role
gets other bytes). Small replies are not kept (converting them costs less than keeping them).
"""

from __future__ import annotations

from collections import OrderedDict

#: Replies smaller than this are converted each time.
MIN_BYTES = 2048
#: Bytes kept (replies and bodies together) before the least recently used go.
DEFAULT_BUDGET = 32 * 1024 * 1024


class JsonBodies:
    def __init__(self, budget: int = DEFAULT_BUDGET, min_bytes: int = MIN_BYTES) -> None:
        self.budget = budget
        self.min_bytes = min_bytes
        self._entries: OrderedDict[tuple[str, bytes], bytes] = OrderedDict()
        self._size = 0

    def get(self, rpc: str, reply: bytes) -> bytes | None:
        if len(reply) < self.min_bytes:
            return None
        key = (rpc, reply)
        body = self._entries.get(key)
        if body is not None:
            self._entries.move_to_end(key)
        return body

    def put(self, rpc: str, reply: bytes, body: bytes) -> None:
        size = len(reply) + len(body)
        if len(reply) < self.min_bytes or size > self.budget // 4:
            return
        key = (rpc, reply)
        old = self._entries.pop(key, None)
        if old is not None:
            self._size -= len(reply) + len(old)
        self._entries[key] = body
        self._size += size
        while self._size > self.budget:
            (_, gone), dropped = self._entries.popitem(last=False)
            self._size -= len(gone) + len(dropped)

    def __len__(self) -> int:
        return len(self._entries)
