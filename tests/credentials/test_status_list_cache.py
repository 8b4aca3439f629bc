"""The signed status list is kept in Redis (a real one) until a revocation, a reissue or a key
changes it: a kept list is the fresh one, and a revocation shows in the next answer at once."""

from __future__ import annotations

from datetime import timedelta

from college.certificates.services import reissue_certificate, revoke_certificate
from college.credentials.services import LIST_SIZE, fresh_status_list
from college.extensions import db
from college.jobs import redis_connection
from tests.certificates.helpers import organiser_of
from tests.conftest import post_form
from tests.credentials.helpers import issued_certificate, revoked_bit


def _list(client, certificate) -> dict:
    response = client.get(f"/credentials/status/{certificate.id // LIST_SIZE}")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def _fresh(app, certificate) -> dict:
    """The list built and signed again now, at the address the test client uses."""
    with app.test_request_context():
        return fresh_status_list(certificate.id // LIST_SIZE)


def test_the_kept_list_is_the_fresh_one(app, client, make, clock):
    certificate = issued_certificate(make)
    _list(client, certificate)  # the first list makes (in development) the signing key
    kept = _list(client, certificate)
    assert redis_connection(app).keys("college:status-list:*")
    # The clock stands still and Ed25519 signatures are deterministic: built again now, the
    # list is byte for byte the one kept.
    assert kept == _fresh(app, certificate)


def test_a_kept_list_is_served_until_a_revocation_which_shows_at_once(app, client, make, clock):
    certificate = issued_certificate(make)
    other = issued_certificate(make)
    _list(client, certificate)
    first = _list(client, certificate)

    clock.advance(timedelta(minutes=5))
    assert _list(client, certificate) == first  # kept: not built and signed again

    revoke_certificate(certificate.id, make.coordinator(organiser_of(certificate.edition_id)),
                       "Deelname niet bevestigd")
    db.session.commit()
    after = _list(client, certificate)
    assert revoked_bit(after, certificate.id % LIST_SIZE)
    assert not revoked_bit(after, other.id % LIST_SIZE)
    assert after["validFrom"] != first["validFrom"]  # built again after the revocation
    assert after == _fresh(app, certificate)

    clock.advance(timedelta(minutes=5))
    new = reissue_certificate(other.id, make.coordinator(organiser_of(other.edition_id)),
                              "Uren verbeterd")
    db.session.commit()
    corrected = _list(client, certificate)
    assert revoked_bit(corrected, other.id % LIST_SIZE)
    assert not revoked_bit(corrected, new.id % LIST_SIZE)


def test_a_new_certificate_keeps_the_list(client, make, clock):
    certificate = issued_certificate(make)
    _list(client, certificate)
    first = _list(client, certificate)
    clock.advance(timedelta(minutes=5))
    issued_certificate(make)  # not revoked: no bit changes
    assert _list(client, certificate) == first


def test_a_revocation_from_the_coordinators_page_shows_at_once(client, auth, make, clock):
    certificate = issued_certificate(make)
    _list(client, certificate)
    assert not revoked_bit(_list(client, certificate), certificate.id % LIST_SIZE)
    auth.login_as(make.coordinator(organiser_of(certificate.edition_id)))
    revoke_page = f"/certificates/{certificate.id}/revoke"
    response = post_form(client, revoke_page, {"reason": "Deelname niet bevestigd"},
                         page=revoke_page)
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    assert revoked_bit(_list(client, certificate), certificate.id % LIST_SIZE)
