"""The context a follow-on is read against, taken from the stored history only: the interpretation the
previous answer stored in its metadata (a declined follow-on in between is passed over: it changed
nothing), and how an interpretation is summed up in words ("Total sales by quarter with region …")."""

from __future__ import annotations

from services.chat.engines.base import HistoryTurn
from services.chat.engines.embedded.answer_text import conditions, measure_text, words
from services.chat.engines.embedded.query_spec import Spec
from services.chat.engines.embedded.row_labels import describe_group
from services.chat.engines.embedded.spec_codec import from_json
from services.chat.engines.schema import Schema

INTERPRETATION = "interpretation"  # the metadata key an answer stores its Spec under
FOLLOWUP_OF = "followup_of"  # the metadata key of a follow-on: a summary of the answer it followed


def previous_spec(history: list[HistoryTurn], schema: Schema) -> tuple[Spec, str] | None:
    """The previous answer's interpretation and summary, or None when the last answer stored none (it was
    declined, came from another engine, was about the schema itself, or no longer fits the schema)."""
    for turn in reversed(history):
        if turn.role != "assistant":
            continue
        meta = turn.metadata
        if INTERPRETATION in meta:
            spec = from_json(meta[INTERPRETATION], schema)
            return (spec, summary(spec, schema)) if spec is not None else None
        if meta.get("declined") is True and meta.get(FOLLOWUP_OF):
            continue  # a follow-on that could not be read: the one before is still the context
        return None
    return None


def summary(spec: Spec, schema: Schema) -> str:
    """An interpretation in a few words: "Total fares by quarter with route 'Lisbon' and flight date in 2025"."""
    if spec.kind == "rows" or not spec.measures:
        what = words(spec.entity).capitalize()
        if spec.order_column is not None:
            direction = "highest" if spec.descending else "lowest"
            count = f"the {spec.limit} " if spec.limit else ""
            what = f"{what}, {count}with the {direction} {words(spec.order_column.column)}"
    else:
        what = measure_text(spec.measures[0])
        what = what[:1].upper() + what[1:]
        if spec.per_entity:
            what += f" per {words(spec.per_entity)}"
        if spec.groups:
            what += " by " + " and ".join(describe_group(g) for g in spec.groups)
        if spec.ranking and spec.limit:
            what += f", {'top' if spec.descending else 'bottom'} {spec.limit}"
    where = conditions(spec, schema)
    if where:
        what += f" with {where}"
    if spec.compare is not None:
        what += f", compared with {spec.compare.label}"
    if spec.chart_wanted:
        what += f", as a {(spec.chart_type or 'chart').replace('_', ' ')}{' chart' if spec.chart_type else ''}"
    return what


def lead(spec: Spec, schema: Schema) -> str:
    """The sentence a follow-on's answer opens with: how it was read."""
    return f"{summary(spec, schema)} — following your previous question."
