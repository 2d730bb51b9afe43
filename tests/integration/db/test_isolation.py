"""Organization isolation: org A never reads or changes org B's rows through any repository method."""

from __future__ import annotations

import pytest

from server.adapters.postgres.repository import InvalidReferenceError, NotFoundError, Order, Repositories

from .samples import CHANGE, DAY, RESOURCES, branch, sample


@pytest.mark.parametrize("name", RESOURCES)
def test_other_org_cannot_see_or_touch_rows(repos: Repositories, org: str, other_org: str, name: str) -> None:
    """get/update/delete from another org are NotFound, list shows nothing, and the row is unchanged."""
    repo, data = sample(repos, name, org)
    mine = repo.create(org, data, request_id="same-request")
    assert all(r.id != mine.id for r in repo.list(other_org, page_size=1000).items)
    with pytest.raises(NotFoundError):
        repo.get(other_org, mine.id)
    field, value = CHANGE[name]
    with pytest.raises(NotFoundError):
        repo.update(other_org, mine.id, {field: value}, mine.etag)
    with pytest.raises(NotFoundError):
        repo.update(other_org, mine.id, {field: value}, None)
    with pytest.raises(NotFoundError):
        repo.delete(other_org, mine.id, None)
    assert repo.get(org, mine.id) == mine
    # the same request id in another org is a different request
    _, theirs_data = sample(repos, name, other_org)
    theirs = repo.create(other_org, theirs_data, request_id="same-request")
    assert theirs.organization_id == other_org and theirs.id != mine.id
    assert mine.id not in {r.id for r in repo.list(other_org, page_size=1000).items}
    assert repo.get(org, mine.id) == mine


def test_same_id_in_two_orgs_are_different_rows(repos: Repositories, org: str, other_org: str) -> None:
    """Two orgs may use the same branch id; each sees and updates only its own."""
    a = branch(repos, org, id="BR-SAME")
    b = branch(repos, other_org, id="BR-SAME")
    repos.branches.update(org, "BR-SAME", {"name": "A社の拠点"}, a.etag)
    assert repos.branches.get(other_org, "BR-SAME") == b
    assert repos.branches.get(org, "BR-SAME").name == "A社の拠点"


def test_cannot_reference_another_orgs_branch(repos: Repositories, org: str, other_org: str) -> None:
    """An order of org B cannot point at org A's branch."""
    a = branch(repos, org)
    with pytest.raises(InvalidReferenceError):
        data = Order(branch_id=a.id, latitude=35.7, longitude=139.6, delivery_date=DAY)
        repos.orders.create(other_org, data)
