"""Answers from a project's documents: passages cut into citable pieces, the extractive answer of the
embedded engine (quoted and cited, a table queried, or declined), and what a model is given."""

from __future__ import annotations

from collections.abc import AsyncIterator

from services.chat.engines.base import EMBEDDED_MODEL_ID, Attachment, Delta, EngineEvent, Note, Status, TurnContext
from services.chat.engines.documents import DocumentAnswers, best_pieces
from services.chat.engines.openai.prompt import system_prompt
from services.chat.engines.passages import Passage, label, sources, stem, table_document
from services.common.gen.trellis.v1 import turn_pb2

CSV = "text/csv"
PDF = "application/pdf"
HANDBOOK = Attachment(
    "doc-pdf",
    "handbook.pdf",
    "handbook.pdf, page 2 of 3\nCustomer policies\nThe warranty period for all Widget\nproducts is 24 months. Returns "
    "are accepted\n"
    "within 30 days of delivery.\nPage 2",
    PDF,
)
PRODUCTS = Attachment(
    "doc-csv",
    "products.csv",
    "products.csv, lines 2–4; columns: product | category | price | stock\n"
    "Widget Pro | Tools | 19.99 | 120\nGizmo Max | Gadgets | 49.50 | 35\nDoohickey | Tools | 5.25 | 900",
    CSV,
)


def test_prose_is_cut_into_sentences_cited_by_page() -> None:
    pieces = Passage.of(HANDBOOK, 0).pieces()
    assert [p.text for p in pieces] == [
        "Customer policies",  # a heading stays apart; a sentence broken over lines is joined again
        "The warranty period for all Widget products is 24 months.",
        "Returns are accepted within 30 days of delivery.",
        "Page 2",
    ]
    assert {p.citation for p in pieces} == {"handbook.pdf, page 2"}
    assert not any(p.table for p in pieces)


def test_table_rows_are_cited_by_their_own_line_when_the_span_is_exact() -> None:
    rows = Passage.of(PRODUCTS, 0).pieces()
    assert [p.citation for p in rows] == ["products.csv, line 2", "products.csv, line 3", "products.csv, line 4"]
    assert rows[1].text == "product: Gizmo Max · category: Gadgets · price: 49.50 · stock: 35"
    assert all(p.table for p in rows)
    # A sheet's rows, and a span that does not match the rows (a quoted newline): the span is cited.
    sheet = Attachment("x", "book.xlsx", "book.xlsx, sheet 'Q1', rows 5–6; columns: a | b\n1 | 2\n3 | 4", "")
    assert [p.citation for p in Passage.of(sheet, 0).pieces()] == [
        "book.xlsx, sheet 'Q1', row 5",
        "book.xlsx, sheet 'Q1', row 6",
    ]
    odd = Attachment("y", "t.csv", "t.csv, lines 2–9; columns: a | b\n1 | 2\n3 | 4", CSV)
    assert {p.location for p in Passage.of(odd, 0).pieces()} == {"lines 2–9"}


def test_a_chunk_without_a_header_is_cited_by_its_file() -> None:
    caption = Attachment("img", "photo.png", "photo.png: PNG image, 64×48 pixels, colour.", "image/png")
    (piece,) = Passage.of(caption, 0).pieces()
    assert piece.citation == "photo.png" and piece.location == ""
    markdown = Attachment("md", "notes.md", "notes.md, section “Returns”, lines 12–14\n# Returns\nShip it back.", "")
    assert label(markdown) == "notes.md, section “Returns”, lines 12–14"


def test_stems_match_plurals_and_tenses() -> None:
    assert stem("warranties") == stem("warranty") == "warranty"
    assert stem("products") == stem("product")
    assert stem("returned") == stem("returns") == "return"
    assert stem("boxes") == "box" and stem("class") == "class"


def _ctx(question: str, *attachments: Attachment, **fields) -> TurnContext:
    return TurnContext(question=question, attachments=list(attachments), project="Handbook", **fields)


def test_the_sentence_holding_the_question_is_chosen() -> None:
    (best,) = best_pieces(_ctx("How long is the warranty period for Widget products?", PRODUCTS, HANDBOOK))
    assert best.text == "The warranty period for all Widget products is 24 months."
    assert best_pieces(_ctx("Who won the football world cup in 1998?", PRODUCTS, HANDBOOK)) == []
    assert best_pieces(_ctx("What is it?", HANDBOOK)) == []  # no word that names anything


def test_a_row_must_match_by_a_cell_not_only_by_its_columns() -> None:
    (row,) = best_pieces(_ctx("What is the price of the Gizmo Max?", HANDBOOK, PRODUCTS))
    assert row.table and row.citation == "products.csv, line 3"
    assert best_pieces(_ctx("What is the price of the Zapper?", PRODUCTS)) == []


class FakeEmbedded:
    """Stands in for the embedded engine over a table: answers with SQL only when told to."""

    model_id = EMBEDDED_MODEL_ID
    display_name = "fake"
    description = ""

    def __init__(self, answers: bool) -> None:
        self.answers = answers
        self.asked: list[TurnContext] = []

    async def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
        self.asked.append(ctx)
        yield Status(turn_pb2.PROCESSING_STATUS_THINKING)
        if self.answers:
            yield Note("sql", "SELECT SUM(stock) FROM products")
            yield Delta("The total stock is **1,055**.")
        else:
            yield Delta("I can't map that question to this database.")


async def _answer(engine, ctx: TurnContext) -> tuple[str, dict]:
    text, notes = "", {}
    async for event in DocumentAnswers().answer(engine, ctx):
        if isinstance(event, Delta):
            text += event.text
        elif isinstance(event, Note):
            notes[event.key] = event.value
    return text, notes


async def test_extractive_answer_quotes_and_cites() -> None:
    engine = FakeEmbedded(answers=True)
    text, notes = await _answer(engine, _ctx("What is the warranty period of Widget products?", HANDBOOK, PRODUCTS))
    assert "> The warranty period for all Widget products is 24 months." in text
    assert "*handbook.pdf, page 2*" in text
    assert notes["sources"] == [{"document_id": "doc-pdf", "filename": "handbook.pdf", "location": "page 2"}]
    assert engine.asked == []  # prose answered: the table was not queried


async def test_a_table_question_is_queried_then_cited() -> None:
    database = object()  # the table's database: only passed through to the engine
    engine = FakeEmbedded(answers=True)
    ctx = _ctx("What is the total stock of all products?", PRODUCTS, HANDBOOK, database=database)
    text, notes = await _answer(engine, ctx)
    assert text == "The total stock is **1,055**.\n\nSource: *products.csv*."
    assert notes["sql"].startswith("SELECT") and notes["sources"][0]["document_id"] == "doc-csv"
    assert engine.asked[0].database is database and engine.asked[0].attachments == []
    # The table engine cannot map it, but a row holds the answer: quoted instead.
    text, notes = await _answer(FakeEmbedded(answers=False), _ctx("Gizmo Max price?", PRODUCTS, database=database))
    assert "price: 49.50" in text and "*products.csv, line 3*" in text and "sql" not in notes


async def test_nothing_relevant_is_declined_without_sources() -> None:
    ctx = _ctx("Who won the football world cup in 1998?", HANDBOOK, PRODUCTS, database=object())
    text, notes = await _answer(FakeEmbedded(answers=False), ctx)
    assert text.startswith("I could not find anything in the documents of **Handbook**")
    assert "sources" not in notes


async def test_a_model_gets_the_passages_labelled_and_the_answer_lists_them() -> None:
    ctx = _ctx("warranty?", HANDBOOK, PRODUCTS)
    prompt = system_prompt(ctx, max_steps=3)
    assert 'documents of the project "Handbook"' in prompt
    assert "[handbook.pdf, page 2]\nhandbook.pdf, page 2 of 3\nCustomer policies" in prompt
    assert "[products.csv, lines 2–4]" in prompt and "No database is connected" not in prompt
    assert table_document(ctx.attachments) is PRODUCTS
    assert sources([HANDBOOK, PRODUCTS, HANDBOOK]) == [
        {"document_id": "doc-pdf", "filename": "handbook.pdf", "location": "page 2"},
        {"document_id": "doc-csv", "filename": "products.csv", "location": "lines 2–4"},
    ]

    class Model:
        model_id, display_name, description = "gpt", "GPT", ""

        async def answer(self, ctx: TurnContext) -> AsyncIterator[EngineEvent]:
            yield Delta("24 months [handbook.pdf, page 2].")

    text, notes = await _answer(Model(), ctx)
    assert text == "24 months [handbook.pdf, page 2]." and len(notes["sources"]) == 2
