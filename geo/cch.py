"""Customizable contraction hierarchy (CCH) with exact 64-bit weights, in numpy.

The node order comes from RoutingKit's inertial-flow nested dissection (``routingkit_cch``); the chordal
fill-in, the customization and the queries are done here so that weights can be 64-bit integers: the
routing libraries on PyPI (routingkit-cch, pyroutingkit) only take 32-bit weights, too narrow to carry
a (duration, length) pair, and the matrices must give the length of the *fastest* path.

Weights are "keys": ``duration_ms << 32 | length_dm``. Adding keys adds both parts; comparing keys compares
durations first, then lengths — so a shortest path by key is the fastest path, the shortest among equally
fast ones, and its length comes out of the same sum (exact as long as a path's length stays below 2**32 dm,
429,000 km). Every path of a query is an upward path in the elimination tree from the source, then a
downward one to the target: the many-to-many query runs the upward searches of all sources (and targets)
in lockstep with numpy, and joins them at the common ancestors.

All node ids here are ranks (position in the order); ``CCH.rank`` maps graph node ids to ranks.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields

import numpy as np

INF = np.int64(1) << 61  # larger than any real key, and INF + INF + key still fits in int64
LENGTH_BITS = 32
LENGTH_MASK = (1 << LENGTH_BITS) - 1
_DENSE_MIN_PAIRS = 4096  # join at a common ancestor with a dense block when it covers this many pairs


def make_keys(duration_ms: np.ndarray, length_dm: np.ndarray) -> np.ndarray:
    """Pack durations (ms) and lengths (dm) into comparable int64 keys."""
    return (duration_ms.astype(np.int64) << LENGTH_BITS) | length_dm.astype(np.int64)


def split_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Durations (ms) and lengths (dm) of keys; unreachable (>= INF) gives -1 for both."""
    keys = np.asarray(keys, dtype=np.int64)
    bad = keys >= INF
    duration = np.where(bad, -1, keys >> LENGTH_BITS)
    length = np.where(bad, -1, keys & LENGTH_MASK)
    return duration, length


@dataclass(frozen=True)
class CCH:
    """A customized CCH over n nodes. Arrays are in rank space unless named otherwise."""

    rank: np.ndarray  # graph node -> rank
    order: np.ndarray  # rank -> graph node
    indptr: np.ndarray  # upward arcs of each rank, CSR
    heads: np.ndarray  # head (higher rank) of each upward arc, ascending within a node
    up: np.ndarray  # key of travelling tail -> head along the arc
    down: np.ndarray  # key of travelling head -> tail
    up_mid: np.ndarray  # the lower node a shortcut's "up" key goes through, -1 for an original arc
    down_mid: np.ndarray
    parent: np.ndarray  # elimination tree parent, -1 at the root(s)
    depth: np.ndarray  # elimination tree depth (root = 0)
    preorder: np.ndarray  # DFS preorder number of each node in the elimination tree
    subtree: np.ndarray  # number of nodes in each node's subtree (itself included)

    @property
    def node_count(self) -> int:
        return int(self.rank.shape[0])

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The arrays to save, named with ``prefix``."""
        return {prefix + f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_arrays(cls, data: dict[str, np.ndarray] | np.lib.npyio.NpzFile, prefix: str) -> CCH:
        return cls(**{f.name: data[prefix + f.name] for f in fields(cls)})

    # ---------------------------------------------------------------------------------------- queries

    def many_to_many(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Keys of the shortest paths from each source to each target (graph node ids); INF if none.

        Sources and targets may repeat and need not be distinct from each other.
        """
        src = self.rank[np.asarray(sources, dtype=np.int64)]
        tgt = self.rank[np.asarray(targets, dtype=np.int64)]
        if src.size == 0 or tgt.size == 0:
            return np.full((src.size, tgt.size), INF, dtype=np.int64)
        # Sort both sides by elimination-tree preorder: every subtree is then a contiguous slice.
        s_perm = np.argsort(self.preorder[src], kind="stable")
        t_perm = np.argsort(self.preorder[tgt], kind="stable")
        s_nodes, t_nodes = src[s_perm], tgt[t_perm]
        f_off, f_keys = self._upward(s_nodes, self.up)
        b_off, b_keys = self._upward(t_nodes, self.down)
        joined = np.full((src.size, tgt.size), INF, dtype=np.int64)
        self._join(s_nodes, f_off, f_keys, t_nodes, b_off, b_keys, joined)
        np.minimum(joined, INF, out=joined)  # unreachable is exactly INF
        s_back, t_back = np.empty_like(s_perm), np.empty_like(t_perm)
        s_back[s_perm] = np.arange(s_perm.size)
        t_back[t_perm] = np.arange(t_perm.size)
        return joined[np.ix_(s_back, t_back)]

    def _upward(self, nodes: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keys from each node up to every ancestor, relaxing the arcs of the ancestors in order.

        Node i's keys are at ``off[i] + depth[node] - depth[ancestor]``.
        """
        depth = self.depth
        length = depth[nodes] + 1
        off = np.zeros(nodes.size + 1, dtype=np.int64)
        np.cumsum(length, out=off[1:])
        keys = np.full(int(off[-1]), INF, dtype=np.int64)
        keys[off[:-1]] = 0
        by_length = np.argsort(-length, kind="stable")
        sorted_length = length[by_length]
        neg_length = -sorted_length
        cur = nodes[by_length].astype(np.int64)
        base = off[by_length] + depth[cur]  # index of the ancestor at depth d is base - d
        indptr, heads, parent = self.indptr, self.heads, self.parent
        for step in range(int(sorted_length[0]) if nodes.size else 0):
            active = int(np.searchsorted(neg_length, -step, side="left"))
            v = cur[:active]
            start, stop = indptr[v], indptr[v + 1]
            counts = stop - start
            total = int(counts.sum())
            if total:
                first = np.repeat(start - np.cumsum(counts) + counts, counts)
                arcs = first + np.arange(total)
                own = np.repeat(base[:active] - depth[v], counts)
                dest = np.repeat(base[:active], counts) - depth[heads[arcs]]
                cand = keys[own] + weights[arcs]
                keys[dest] = np.minimum(keys[dest], cand)
            cur[:active] = parent[v]
        return off, keys

    def _join(
        self,
        s_nodes: np.ndarray,
        f_off: np.ndarray,
        f_keys: np.ndarray,
        t_nodes: np.ndarray,
        b_off: np.ndarray,
        b_keys: np.ndarray,
        out: np.ndarray,
    ) -> None:
        """out[i, j] = min over common ancestors c of up(s_i -> c) + down(c -> t_j)."""
        depth, preorder, subtree = self.depth, self.preorder, self.subtree
        s_chain = _chain_nodes(self.parent, s_nodes)
        t_chain = _chain_nodes(self.parent, t_nodes)
        common = np.intersect1d(s_chain, t_chain)
        s_pre, t_pre = preorder[s_nodes], preorder[t_nodes]
        lo_pre, hi_pre = preorder[common], preorder[common] + subtree[common]
        s_lo, s_hi = np.searchsorted(s_pre, lo_pre), np.searchsorted(s_pre, hi_pre)
        t_lo, t_hi = np.searchsorted(t_pre, lo_pre), np.searchsorted(t_pre, hi_pre)
        pairs = (s_hi - s_lo) * (t_hi - t_lo)
        s_base = f_off[:-1] + depth[s_nodes]
        t_base = b_off[:-1] + depth[t_nodes]
        dense = pairs >= _DENSE_MIN_PAIRS
        for c, a, b, x, y in zip(
            common[dense].tolist(),
            s_lo[dense].tolist(),
            s_hi[dense].tolist(),
            t_lo[dense].tolist(),
            t_hi[dense].tolist(),
            strict=True,
        ):
            dc = depth[c]
            f = f_keys[s_base[a:b] - dc]
            g = b_keys[t_base[x:y] - dc]
            block = out[a:b, x:y]
            np.minimum(block, f[:, None] + g[None, :], out=block)
        small = ~dense & (pairs > 0)
        if small.any():
            _join_small(
                common[small],
                s_lo[small],
                s_hi[small],
                t_lo[small],
                t_hi[small],
                depth,
                s_base,
                f_keys,
                t_base,
                b_keys,
                out,
            )

    def path(self, source: int, target: int) -> tuple[int, list[int]]:
        """Key and graph node ids of the shortest path source -> target; (INF, []) if none."""
        s, t = int(self.rank[source]), int(self.rank[target])
        f, f_pred = self._chain_search(s, self.up)
        b, b_pred = self._chain_search(t, self.down)
        best, meet = int(INF), -1
        for node, key in f.items():
            other = b.get(node)
            if other is not None and key + other < best:
                best, meet = key + other, node
        if meet < 0 or best >= INF:
            return int(INF), []
        up_ranks = [meet]
        while up_ranks[-1] != s:
            up_ranks.append(f_pred[up_ranks[-1]])
        up_ranks.reverse()
        down_ranks = [meet]
        while down_ranks[-1] != t:
            down_ranks.append(b_pred[down_ranks[-1]])
        route = [s]
        for a, b2 in itertools.pairwise(up_ranks):
            self._unpack(a, b2, route)
        for a, b2 in itertools.pairwise(down_ranks):
            self._unpack(a, b2, route)
        return best, [int(self.order[r]) for r in route]

    def _chain_search(self, start: int, weights: np.ndarray) -> tuple[dict[int, int], dict[int, int]]:
        keys: dict[int, int] = {start: 0}
        pred: dict[int, int] = {}
        v = start
        while v >= 0:
            kv = keys.get(v)
            if kv is not None and kv < INF:
                for arc in range(int(self.indptr[v]), int(self.indptr[v + 1])):
                    head, cand = int(self.heads[arc]), kv + int(weights[arc])
                    if cand < keys.get(head, INF):
                        keys[head], pred[head] = cand, v
            v = int(self.parent[v])
        return keys, pred

    def _arc(self, low: int, high: int) -> int:
        lo, hi = int(self.indptr[low]), int(self.indptr[low + 1])
        return lo + int(np.searchsorted(self.heads[lo:hi], high))

    def _unpack(self, a: int, b: int, route: list[int]) -> None:
        """Append the original nodes after ``a`` on the arc a -> b (either direction) to ``route``."""
        stack = [(a, b)]
        while stack:
            x, y = stack.pop()
            if x < y:
                arc = self._arc(x, y)
                mid = int(self.up_mid[arc])
                # x -> y upward went x -> mid (down from x to mid), then mid -> y (up)
            else:
                arc = self._arc(y, x)
                mid = int(self.down_mid[arc])
            if mid < 0:
                route.append(y)
            else:
                stack.append((mid, y))
                stack.append((x, mid))


def _chain_nodes(parent: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """All distinct ancestors (themselves included) of ``nodes``."""
    seen = np.zeros(parent.shape[0], dtype=bool)
    cur = np.unique(nodes)
    while cur.size:
        cur = cur[~seen[cur]]
        seen[cur] = True
        cur = parent[cur]
        cur = np.unique(cur[cur >= 0])
    return np.flatnonzero(seen)


def _join_small(
    common: np.ndarray,
    s_lo: np.ndarray,
    s_hi: np.ndarray,
    t_lo: np.ndarray,
    t_hi: np.ndarray,
    depth: np.ndarray,
    s_base: np.ndarray,
    f_keys: np.ndarray,
    t_base: np.ndarray,
    b_keys: np.ndarray,
    out: np.ndarray,
) -> None:
    """The joins at ancestors covering few pairs, all at once with a scattered minimum."""
    ns, nt = s_hi - s_lo, t_hi - t_lo
    per = ns * nt
    total = int(per.sum())
    group = np.repeat(np.arange(common.size), per)
    within = np.arange(total) - np.repeat(np.cumsum(per) - per, per)
    i = s_lo[group] + within // nt[group]
    j = t_lo[group] + within % nt[group]
    dc = depth[common][group]
    cand = f_keys[s_base[i] - dc] + b_keys[t_base[j] - dc]
    np.minimum.at(out.reshape(-1), i * out.shape[1] + j, cand)


# -------------------------------------------------------------------------------------------- building


def build_cch(
    node_count: int,
    tail: np.ndarray,
    head: np.ndarray,
    keys: np.ndarray,
    lat: np.ndarray,
    lng: np.ndarray,
) -> CCH:
    """Order, contract and customize a graph given as arcs tail -> head with int64 keys."""
    import routingkit_cch

    n = int(node_count)
    tail = np.asarray(tail, dtype=np.int64)
    head = np.asarray(head, dtype=np.int64)
    order = np.asarray(
        routingkit_cch.compute_order_inertial(
            n, tail.tolist(), head.tolist(), np.asarray(lat).tolist(), np.asarray(lng).tolist()
        ),
        dtype=np.int64,
    )
    if sorted(order.tolist()) != list(range(n)):
        raise RuntimeError("routingkit_cch returned an order that is not a permutation")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    t, h = rank[tail], rank[head]
    indptr, heads, parent = _chordal_fill(n, t, h)
    up, down = _initial_weights(n, indptr, heads, t, h, np.asarray(keys, dtype=np.int64))
    up_mid, down_mid = _customize(n, indptr, heads, parent, up, down)
    depth, preorder, subtree = _tree_numbers(parent)
    return CCH(
        rank=rank,
        order=order,
        indptr=indptr,
        heads=heads,
        up=up,
        down=down,
        up_mid=up_mid,
        down_mid=down_mid,
        parent=parent,
        depth=depth,
        preorder=preorder,
        subtree=subtree,
    )


def _chordal_fill(n: int, t: np.ndarray, h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upward adjacency of the chordal supergraph (elimination game) and the elimination tree."""
    lo, hi = np.minimum(t, h), np.maximum(t, h)
    keep = lo != hi
    pairs = np.unique(lo[keep] * n + hi[keep])
    lows, highs = pairs // n, pairs % n
    bounds = np.searchsorted(lows, np.arange(n + 1))
    highs_list = highs.tolist()
    up: list[set[int]] = [set(highs_list[bounds[v] : bounds[v + 1]]) for v in range(n)]
    parent = np.full(n, -1, dtype=np.int64)
    for v in range(n):
        nbrs = up[v]
        if nbrs:
            p = min(nbrs)
            parent[v] = p
            if len(nbrs) > 1:
                up[p].update(nbrs)
                up[p].discard(p)
    counts = np.fromiter((len(s) for s in up), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    heads = np.fromiter((x for s in up for x in sorted(s)), dtype=np.int64, count=int(indptr[-1]))
    return indptr, heads, parent


def _arc_ids(n: int, indptr: np.ndarray, heads: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    arc_keys = tails * n + heads  # ascending: CSR order with sorted heads
    found = np.searchsorted(arc_keys, low * n + high)
    return found


def _initial_weights(
    n: int, indptr: np.ndarray, heads: np.ndarray, t: np.ndarray, h: np.ndarray, keys: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    m = heads.shape[0]
    up = np.full(m, INF, dtype=np.int64)
    down = np.full(m, INF, dtype=np.int64)
    upward = t < h
    arcs = _arc_ids(n, indptr, heads, t[upward], h[upward])
    np.minimum.at(up, arcs, keys[upward])
    downward = t > h
    arcs = _arc_ids(n, indptr, heads, h[downward], t[downward])
    np.minimum.at(down, arcs, keys[downward])
    return up, down


def _customize(
    n: int, indptr: np.ndarray, heads: np.ndarray, parent: np.ndarray, up: np.ndarray, down: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Basic customization over all lower triangles, level by level; returns the middle nodes."""
    m = heads.shape[0]
    up_mid = np.full(m, -1, dtype=np.int64)
    down_mid = np.full(m, -1, dtype=np.int64)
    tails = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    # level(v) = 1 + max level of v's lower neighbours: the arcs of v are final once those are processed.
    level = np.zeros(n, dtype=np.int64)
    tails_list, heads_list = tails.tolist(), heads.tolist()
    lvl = [0] * n
    for a in range(m):  # arcs are sorted by tail, so every tail is final when reached
        x, y = tails_list[a], heads_list[a]
        if lvl[x] + 1 > lvl[y]:
            lvl[y] = lvl[x] + 1
    level[:] = lvl
    # Lower triangles: for each arc (v, x), pair it with the later arcs (v, y) of the same v.
    after = indptr[tails + 1] - np.arange(m) - 1  # arcs of the same tail after this one
    total = int(after.sum())
    if total == 0:
        return up_mid, down_mid
    e1 = np.repeat(np.arange(m, dtype=np.int64), after)
    e2 = e1 + 1 + (np.arange(total) - np.repeat(np.cumsum(after) - after, after))
    e3 = _arc_ids(n, indptr, heads, heads[e1], heads[e2])
    v_of = tails[e1]
    by_level = np.argsort(level[v_of], kind="stable")
    e1, e2, e3, v_of = e1[by_level], e2[by_level], e3[by_level], v_of[by_level]
    bounds = np.searchsorted(level[v_of], np.arange(int(level.max()) + 2))
    for lv in range(bounds.shape[0] - 1):
        a, b = bounds[lv], bounds[lv + 1]
        if a == b:
            continue
        x1, x2, x3, mid = e1[a:b], e2[a:b], e3[a:b], v_of[a:b]
        _relax_min(up, up_mid, x3, down[x1] + up[x2], mid)  # x -> v -> y
        _relax_min(down, down_mid, x3, down[x2] + up[x1], mid)  # y -> v -> x
    return up_mid, down_mid


def _relax_min(
    weights: np.ndarray, mids: np.ndarray, arcs: np.ndarray, cand: np.ndarray, mid: np.ndarray
) -> None:
    """weights[arc] = min(weights[arc], cand) per arc, remembering the middle node of the winner."""
    cand = np.minimum(cand, INF)
    sort = np.lexsort((cand, arcs))
    arcs_s, cand_s, mid_s = arcs[sort], cand[sort], mid[sort]
    first = np.ones(arcs_s.shape[0], dtype=bool)
    first[1:] = arcs_s[1:] != arcs_s[:-1]
    arcs_s, cand_s, mid_s = arcs_s[first], cand_s[first], mid_s[first]
    better = cand_s < weights[arcs_s]
    weights[arcs_s[better]] = cand_s[better]
    mids[arcs_s[better]] = mid_s[better]


def _tree_numbers(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, DFS preorder number and subtree size of each node of the elimination tree (forest)."""
    n = parent.shape[0]
    par = parent.tolist()
    dep = [0] * n
    for v in range(n - 1, -1, -1):  # parents have higher ranks
        if par[v] >= 0:
            dep[v] = dep[par[v]] + 1
    depth = np.asarray(dep, dtype=np.int64)
    subtree = np.ones(n, dtype=np.int64)
    sub = [1] * n
    for v in range(n):
        if par[v] >= 0:
            sub[par[v]] += sub[v]
    subtree[:] = sub
    # preorder: root(s) first; a child's number = parent's + 1 + sizes of earlier siblings.
    children: list[list[int]] = [[] for _ in range(n)]
    for v in range(n):
        if par[v] >= 0:
            children[par[v]].append(v)
    pre = [0] * n
    counter = 0
    stack = [v for v in range(n - 1, -1, -1) if par[v] < 0]
    while stack:
        v = stack.pop()
        pre[v] = counter
        counter += 1
        stack.extend(reversed(children[v]))
    preorder = np.asarray(pre, dtype=np.int64)
    return depth, preorder, subtree
