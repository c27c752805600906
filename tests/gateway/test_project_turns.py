"""Chats on a document project: answers quoted from a PDF and cited by page, answered from a CSV, or
declined; a chat has one data source; another organization never reaches the project's passages."""

from __future__ import annotations

import grpc
import pytest

from services.common.gen.trellis.v1 import upload_pb2, upload_pb2_grpc
from tests.gateway.test_projects import PRODUCTS_CSV, add_documents, admin_client, create_project
from tests.helpers import add_integration, assert_error, bearer_metadata, chat_messages, create_chat, token_of
from tests.turn_clients import sse_turn
from tests.upload.samples import pdf_pages

pytestmark = pytest.mark.storage

WARRANTY = "The warranty period for all Widget products is 24 months."
HANDBOOK_PDF = pdf_pages(
    [
        ["Employee handbook", "Welcome to the company."],
        ["Customer policies", WARRANTY, "Returns are accepted within 30 days of delivery."],
    ]
)


@pytest.fixture
def project(stack, org) -> dict:
    """A project with a PDF and a CSV, made by an admin."""
    with admin_client(stack, org) as admin:
        project = create_project(admin, name="Product handbook")
        stored = add_documents(
            admin,
            project["id"],
            ("handbook.pdf", HANDBOOK_PDF, "application/pdf"),
            ("products.csv", PRODUCTS_CSV, "text/csv"),
        )
        assert stored.status_code == 200 and stored.json()["errors"] == [], stored.text
        project["documents"] = {d["filename"]: d["id"] for d in stored.json()["documents"]}
    return project


def _ask(stack, token: str, chat_id: str, question: str) -> tuple[str, list]:
    resp, events = sse_turn(stack.gateway_url, token, {"chat_id": chat_id, "message": question})
    assert resp.status_code == 200 and events[-1][0] == "message", (resp.text, events)
    return events[-1][1]["content"], events


def test_a_chat_on_a_project_answers_from_its_documents_with_citations(stack, org, project) -> None:
    with org.client("member@example.com") as member:  # members chat on projects
        token = token_of(member)
        chat = create_chat(member, title="Handbook questions", project_id=project["id"])
        assert chat["project_id"] == project["id"] and "integration_id" not in chat
        listed = next(c for c in member.get("/v1/chats").json()["chats"] if c["id"] == chat["id"])
        assert listed["metadata"] == {"source_type": "project"}

        # A sentence of the PDF: quoted, and cited with its file and page.
        answer, events = _ask(stack, token, chat["id"], "How long is the warranty period for Widget products?")
        assert WARRANTY in answer and "handbook.pdf, page 2" in answer
        assert [name for name, _ in events][:2] == ["chat_metadata", "processing"]

        # A row of the CSV: answered from the table, which is cited.
        answer, _ = _ask(stack, token, chat["id"], "What is the price of the Gizmo Max?")
        assert "49.5" in answer and "products.csv" in answer
        # The CSV queried like an attached spreadsheet.
        answer, events = _ask(stack, token, chat["id"], "What is the total stock of all products?")
        assert "155" in answer and "products.csv" in answer  # 120 + 35
        assert any(name == "visualization" for name, _ in events)

        # Nothing in the documents: declined, not guessed.
        answer, _ = _ask(stack, token, chat["id"], "Who won the football world cup in 1998?")
        assert answer.startswith("I could not find anything in the documents of **Product handbook**")

        history = chat_messages(member, chat["id"])
        warranty, price, total, declined = (m["metadata"] for m in history if m["role"] == "assistant")
        assert warranty["sources"] == [
            {"document_id": project["documents"]["handbook.pdf"], "filename": "handbook.pdf", "location": "page 2"}
        ]
        assert [s["filename"] for s in price["sources"]] == ["products.csv"]
        assert "sql" in total and total["sources"][0]["document_id"] == project["documents"]["products.csv"]
        assert "sources" not in declined
        got = member.get(f"/v1/chats/{chat['id']}").json()
        assert got["project_id"] == project["id"] and got["metadata"] == {"source_type": "project"}


def test_a_chat_has_one_data_source(stack, org, project) -> None:
    integration = add_integration(stack, org.id)
    with org.client() as http:
        both = http.post("/v1/chats/create", json={"integration_id": integration, "project_id": project["id"]})
        body = assert_error(both, 400, "INVALID_REQUEST")
        assert "integration_id" in body["detail"] and "project_id" in body["detail"]
        missing = http.post("/v1/chats/create", json={"project_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"})
        assert_error(missing, 404, "NOT_FOUND")
        on_db = create_chat(http, integration_id=integration)
        assert "project_id" not in on_db
        on_project = create_chat(http, project_id=project["id"])
        turn = {"chat_id": on_project["id"], "message": "how many orders", "integration_id": integration}
        resp, _ = sse_turn(stack.gateway_url, token_of(http), turn)
        assert_error(resp, 400, "INVALID_REQUEST")


def test_another_organization_never_reaches_the_passages(stack, org, other_org, project) -> None:
    with admin_client(stack, other_org, "outsider@example.com") as outsider:
        token = token_of(outsider)
        assert_error(outsider.post("/v1/chats/create", json={"project_id": project["id"]}), 404, "NOT_FOUND")
        own = create_project(outsider, name="Theirs")
        chat = create_chat(outsider, project_id=own["id"])
        answer, _ = _ask(stack, token, chat["id"], "How long is the warranty period for Widget products?")
        assert WARRANTY not in answer and answer.startswith("I could not find")
    # Straight to the Upload service's internal search, with the victim's project id: not found.
    request = upload_pb2.SearchProjectDocumentsRequest(project_id=project["id"], query="warranty Widget")
    with grpc.insecure_channel(stack.upload_target) as channel:
        stub = upload_pb2_grpc.UploadInternalServiceStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.SearchProjectDocuments(request, metadata=bearer_metadata(token), timeout=10)
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND
        own_member = org.token("insider@example.com")
        found = stub.SearchProjectDocuments(request, metadata=bearer_metadata(own_member), timeout=10)
        assert WARRANTY in found.chunks[0].text and found.chunks[0].mime_type == "application/pdf"
