"""Responses that stand for a resource repeat its fields exactly (as_response relies on it)."""

from __future__ import annotations

import pytest

from services.common.convert import as_response
from services.common.gen.trellis.v1 import (
    integration_pb2,
    memory_pb2,
    organization_rule_pb2,
    project_pb2,
    saved_query_pb2,
)

PAIRS = [
    (
        saved_query_pb2.SavedQuery,
        [
            saved_query_pb2.GetSavedQueryResponse,
            saved_query_pb2.CreateSavedQueryResponse,
            saved_query_pb2.UpdateSavedQueryResponse,
        ],
    ),
    (
        memory_pb2.UserMemory,
        [
            memory_pb2.GetUserMemoryResponse,
            memory_pb2.CreateUserMemoryResponse,
            memory_pb2.UpdateUserMemoryResponse,
            memory_pb2.CreateMemberMemoryResponse,
            memory_pb2.UpdateMemberMemoryResponse,
        ],
    ),
    (
        organization_rule_pb2.OrganizationRule,
        [
            organization_rule_pb2.GetOrganizationRuleResponse,
            organization_rule_pb2.CreateOrganizationRuleResponse,
            organization_rule_pb2.UpdateOrganizationRuleResponse,
        ],
    ),
    (
        integration_pb2.Integration,
        [integration_pb2.CreateIntegrationResponse, integration_pb2.UpdateIntegrationResponse],
    ),
    (project_pb2.Project, [project_pb2.GetProjectResponse]),
]


def _shape(cls) -> list[tuple]:
    return [(f.name, f.number, f.type, f.is_repeated, f.has_presence) for f in cls.DESCRIPTOR.fields]


@pytest.mark.parametrize(("resource", "response"), [(r, x) for r, xs in PAIRS for x in xs])
def test_response_repeats_the_resource(resource, response) -> None:
    assert _shape(response) == _shape(resource)


def test_as_response_copies_every_field() -> None:
    query = saved_query_pb2.SavedQuery(id="q", title="t", sql="SELECT 1", keywords=["a"], parameters=["p"])
    out = as_response(saved_query_pb2.GetSavedQueryResponse, query)
    assert (out.id, out.title, out.sql, list(out.keywords), list(out.parameters)) == (
        "q",
        "t",
        "SELECT 1",
        ["a"],
        ["p"],
    )
    assert not as_response(saved_query_pb2.GetSavedQueryResponse, saved_query_pb2.SavedQuery()).HasField("sql")
