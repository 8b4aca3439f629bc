"""A number in a page's address larger than any row id is not found (404), never a 500."""

from __future__ import annotations

import pytest

HUGE = "99999999999"  # more than PostgreSQL's INTEGER holds


@pytest.mark.parametrize("path", [
    f"/courses/{HUGE}",
    f"/editions/{HUGE}/dashboard",
    f"/certificates/{HUGE}/download",
    f"/organisers/{HUGE}/dashboard",
    f"/credentials/status/{HUGE}",
    f"/credentials/achievements/{HUGE}",
])
def test_a_number_beyond_any_id_is_not_found(app, client, make, auth, path):
    auth.login_as(make.coordinator(make.organiser()))
    answer = client.get(path)
    assert answer.status_code == 404

