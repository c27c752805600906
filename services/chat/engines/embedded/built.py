"""A query the SQL builder wrote, with the result columns that name groups and hold measures."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Built:
    sql: str
    label_columns: list[str] = field(default_factory=list)  # result columns naming each group
    value_columns: list[str] = field(default_factory=list)  # result columns holding measures
    group_names: list[str] = field(default_factory=list)  # human names of the groups ("region", "month")
    root: str = ""
    group_columns: list[list[str]] = field(default_factory=list)  # label columns per group
