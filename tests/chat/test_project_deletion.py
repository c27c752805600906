"""Deleting a project marks it first: from then on it is gone for readers (so a document whose upload
was in flight, which asks again once committed, is undone), while its deletion can still remove its
documents; if they cannot be removed, the project is back as it was (docs/api.md, Projects)."""

from __future__ import annotations

import asyncio

import pytest

from services.chat.api.project import delete_project
from services.chat.storage.stores import Stores, opened_stores
from services.common.errors import ApiError
from services.common.jwt_tokens import Principal

pytestmark = pytest.mark.storage

WHO = Principal("member", "org", "key", "jti", "token")


@pytest.fixture
def stores(database_url):
    with opened_stores(database_url) as s:
        yield s


def _missing(stores: Stores, org_id: str, project_id: str, **kwargs: bool) -> bool:
    try:
        stores.projects.get(org_id, project_id, **kwargs)
    except ApiError as err:
        assert err.code == "NOT_FOUND"
        return True
    return False


class Uploads:
    """The Upload service's side of a deletion: what it would see of the project while it removes
    the documents, or a failure."""

    def __init__(self, stores: Stores, org_id: str, failure: ApiError | None = None) -> None:
        self.stores, self.org_id, self.failure = stores, org_id, failure
        self.seen: tuple[bool, bool] | None = None

    async def delete_project_documents(self, who: Principal, project_id: str) -> int:
        # GetProject (a committed document's re-check) and CheckProjectChange (this deletion's own check).
        self.seen = (
            _missing(self.stores, self.org_id, project_id),
            _missing(self.stores, self.org_id, project_id, being_deleted=True),
        )
        if self.failure is not None:
            raise self.failure
        return 3


def test_a_project_being_deleted_is_gone_for_readers_only(stores) -> None:
    org = stores.organizations.create_organization("Org")
    kept = stores.projects.create(org.id, {"name": "Kept"})
    going = stores.projects.create(org.id, {"name": "Going"})
    stores.projects.mark_deleting(org.id, going.id)
    assert _missing(stores, org.id, going.id)
    with pytest.raises(ApiError, match="Project not found"):
        stores.projects.update(org.id, going.id, {"name": "Renamed"})
    rows, total = stores.projects.list_page(org.id, 1)
    assert [p.id for p in rows] == [kept.id] and total == 1
    assert stores.projects.get(org.id, going.id, being_deleted=True).name == "Going"
    stores.projects.mark_deleting(org.id, going.id, deleting=False)
    assert stores.projects.get(org.id, going.id).name == "Going"


def test_delete_project_hides_it_before_its_documents_go(stores) -> None:
    org = stores.organizations.create_organization("Org")
    project = stores.projects.create(org.id, {"name": "Handbook"})
    uploads = Uploads(stores, org.id)
    assert asyncio.run(delete_project(stores.projects, uploads, WHO, project)) == 3  # type: ignore[arg-type]
    assert uploads.seen == (True, False)  # hidden from readers, still there for its deletion
    assert _missing(stores, org.id, project.id, being_deleted=True)


def test_a_failed_deletion_leaves_the_project_as_it_was(stores) -> None:
    org = stores.organizations.create_organization("Org")
    project = stores.projects.create(org.id, {"name": "Handbook"})
    uploads = Uploads(stores, org.id, ApiError("UPSTREAM_UNAVAILABLE", "Upload service down"))
    with pytest.raises(ApiError, match="Upload service down"):
        asyncio.run(delete_project(stores.projects, uploads, WHO, project))  # type: ignore[arg-type]
    assert uploads.seen == (True, False)
    assert stores.projects.get(org.id, project.id).name == "Handbook"
    assert [p.id for p in stores.projects.list_page(org.id, 1)[0]] == [project.id]
