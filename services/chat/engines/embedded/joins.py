"""Join paths from foreign keys.

Following a foreign key from the referencing table to the referenced one ("to-one") never
multiplies rows, so measures stay correct along such paths; the other direction ("to-many")
is only used for filters (as EXISTS) or by re-rooting a query at the many side.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from services.chat.engines.embedded.lexicon import shared_prefix, words_of
from services.chat.engines.schema import Schema


@dataclass(frozen=True)
class Edge:
    """`child.column` references `parent.ref_column`."""

    child: str
    column: str
    parent: str
    ref_column: str


class JoinGraph:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.up: dict[str, list[Edge]] = {name: [] for name in schema.tables}
        self.down: dict[str, list[Edge]] = {name: [] for name in schema.tables}
        for table in schema.tables.values():
            for fk in table.foreign_keys:
                if fk.ref_table not in schema.tables or fk.ref_table == table.name:
                    continue
                edge = Edge(table.name, fk.column, fk.ref_table, fk.ref_column)
                self.up[table.name].append(edge)
                self.down[fk.ref_table].append(edge)
        self.distance = lru_cache(maxsize=4096)(self._distance)

    def _distance(self, a: str, b: str) -> int:
        """FK hops between two tables in either direction (99 when unrelated)."""
        if a == b:
            return 0
        seen = {a}
        queue = deque([(a, 0)])
        while queue:
            node, d = queue.popleft()
            for e in self.up.get(node, []) + self.down.get(node, []):
                other = e.parent if e.child == node else e.child
                if other == b:
                    return d + 1
                if other not in seen:
                    seen.add(other)
                    queue.append((other, d + 1))
        return 99

    def path_to_one(self, src: str, dst: str) -> list[Edge] | None:
        """The shortest chain of to-one joins from src to dst (declaration order breaks ties)."""
        if src == dst:
            return []
        prev: dict[str, Edge] = {}
        seen = {src}
        queue = deque([src])
        while queue:
            node = queue.popleft()
            for e in self.up.get(node, []):
                if e.parent in seen:
                    continue
                seen.add(e.parent)
                prev[e.parent] = e
                if e.parent == dst:
                    path = []
                    cur = dst
                    while cur != src:
                        edge = prev[cur]
                        path.append(edge)
                        cur = edge.child
                    return list(reversed(path))
                queue.append(e.parent)
        return None

    def reaches_to_one(self, src: str, dst: str) -> bool:
        return self.path_to_one(src, dst) is not None

    def parents_by_distance(self, table: str) -> list[str]:
        out: list[str] = []
        queue = deque([table])
        seen = {table}
        while queue:
            node = queue.popleft()
            for e in self.up.get(node, []):
                if e.parent not in seen:
                    seen.add(e.parent)
                    out.append(e.parent)
                    queue.append(e.parent)
        return out

    def children(self, table: str) -> list[Edge]:
        return list(self.down.get(table, []))

    def busiest_child(self, table: str, verb: str = "") -> str | None:
        """The table whose rows make `table` "popular": the child named like the verb, else the largest."""
        kids = [e.child for e in self.down.get(table, [])]
        if not kids:
            return None
        if verb:
            for kid in kids:
                for w in words_of(kid):
                    if shared_prefix(w, verb) >= 5:
                        return kid
        return max(kids, key=lambda k: self.schema.tables[k].row_count)

    def root_for(self, tables: set[str], prefer: str) -> str | None:
        """A table from which every one of `tables` is reachable through to-one joins, `prefer` first."""
        candidates = [prefer] + [t for t in self.schema.tables if t != prefer]
        best: tuple[int, str] | None = None
        for cand in candidates:
            paths = [self.path_to_one(cand, t) for t in tables]
            if any(p is None for p in paths):
                continue
            cost = sum(len(p or []) for p in paths) + (0 if cand == prefer else 100)
            if best is None or cost < best[0]:
                best = (cost, cand)
        return best[1] if best else None
