"""The anonymous catalogue and course pages come from a cache in Redis, never stale, never mixed."""

from __future__ import annotations

from bs4 import BeautifulSoup

from college.catalogue.models import Course
from college.catalogue.queries import PAGE_SIZE
from college.extensions import db
from college.jobs import redis_connection
from college.pagecache import PAGES
from tests.conftest import counted_queries, shown_form


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def seats_shown(html: str) -> list[str]:
    """The seats left as the catalogue's cards and the course page's facts show them."""
    soup = BeautifulSoup(html, "html.parser")
    shown = [span.get_text(strip=True) for span in soup.select(".seats")]
    return shown + [dt.find_next_sibling("dd").get_text(strip=True)
                    for dt in soup.find_all("dt") if dt.get_text(strip=True) == "Seats"]


def test_a_cached_hit_runs_no_query_and_lives_in_redis(app, client, make):
    edition = make.edition(capacity=5)
    url = f"/courses/{edition.course_id}"
    first = page(client, url)
    with counted_queries() as hit:
        again = page(client, url)
    assert again == first
    assert hit == []
    assert any(b":/courses/" in key for key in redis_connection(app).scan_iter("college:pages:*"))


def test_a_second_web_server_on_the_same_redis_serves_the_page_without_the_database(
        app, client, make, another_app):
    make.edition()
    html = page(client, "/courses")
    other = another_app()
    with counted_queries() as hit:
        from_other = page(other.test_client(), "/courses")
    assert from_other == html
    assert hit == []


def test_an_enrolment_shows_the_new_seat_count_at_once(app, client, make, auth):
    edition = make.edition(capacity=5)
    url = f"/courses/{edition.course_id}"
    visitor = app.test_client()
    assert seats_shown(page(visitor, url)) == ["5 seats left"]
    assert seats_shown(page(visitor, "/courses")) == ["5 seats left"]

    auth.login_as(make.learner())
    hidden = shown_form(client, url, f"/editions/{edition.id}/enrol")
    assert client.post(f"/editions/{edition.id}/enrol", data=hidden).status_code == 302

    assert seats_shown(page(visitor, url)) == ["4 seats left"]
    assert seats_shown(page(visitor, "/courses")) == ["4 seats left"]


def test_a_new_edition_and_a_changed_course_show_at_once(client, make):
    edition = make.edition(place="Gent")
    url = f"/courses/{edition.course_id}"
    assert "Aalter" not in page(client, url)
    assert "Aalter" not in page(client, "/courses")
    course = db.session.get(Course, edition.course_id)
    make.edition(course, place="Aalter")
    assert "Aalter" in page(client, url)
    assert "Aalter" in page(client, "/courses")

    db.session.get(Course, edition.course_id).title = "Tillen en verplaatsen"
    db.session.commit()
    assert "Tillen en verplaatsen" in page(client, url)
    assert "Tillen en verplaatsen" in page(client, "/courses")


def test_signed_in_and_anonymous_pages_never_mix(app, client, make, auth):
    learner = make.learner(name="Mieke Janssens")
    edition = make.edition()
    url = f"/courses/{edition.course_id}"
    visitor = app.test_client()
    for address in (url, "/courses"):
        assert "Mieke Janssens" not in page(visitor, address)
    auth.login_as(learner)
    for address in (url, "/courses"):
        signed_in = page(client, address)
        assert "Log out" in signed_in  # the signed-in page, not the visitor's cached one
        anonymous = page(visitor, address)
        assert "Log out" not in anonymous and "Mieke Janssens" not in anonymous
        assert 'name="csrf_token"' not in anonymous


def test_each_language_has_its_own_page(app, make):
    make.edition()
    visitor = app.test_client()
    english = page(visitor, "/courses")
    dutch = page(visitor, "/courses", headers={"Accept-Language": "nl"})
    assert "Trainings for caregivers" in english
    assert "Trainings for caregivers" not in dutch
    assert "Trainings for caregivers" in page(visitor, "/courses")


def test_a_change_commits_before_the_cache_moves_on_and_a_rollback_keeps_it(app, client, make):
    make.edition()
    connection = redis_connection(app)
    page(client, "/courses")
    before = int(connection.get(PAGES.key) or 0)
    make.learner()  # not something the pages show
    assert int(connection.get(PAGES.key) or 0) == before
    db.session.execute(db.update(Course).values(title="Iets anders"))
    db.session.rollback()
    assert int(connection.get(PAGES.key) or 0) == before
    assert "Iets anders" not in page(client, "/courses")


def test_the_catalogue_has_pages_of_twenty_with_links(client, make):
    hub = make.organiser()
    for number in range(PAGE_SIZE + 5):
        make.course(hub, title=f"Vorming {number:02d}")
    first = BeautifulSoup(page(client, "/courses"), "html.parser")
    assert len(first.select(".course-card")) == PAGE_SIZE
    assert "25 trainings found" in first.get_text()
    nav = first.select_one("nav.pagination")
    assert nav["aria-label"]
    assert nav.select_one('[aria-current="page"]').get_text() == "1"
    next_link = nav.select_one('a[rel="next"]')["href"]
    second = BeautifulSoup(page(client, next_link), "html.parser")
    titles = [card.h2.get_text(strip=True) for card in second.select(".course-card")]
    assert titles == [f"Vorming {n:02d}" for n in range(PAGE_SIZE, PAGE_SIZE + 5)]
    assert second.select_one('nav.pagination a[rel="prev"]') is not None
    # A page past the end shows the last one; nonsense shows the first.
    assert len(BeautifulSoup(page(client, "/courses?page=99"), "html.parser")
               .select(".course-card")) == 5
    assert len(BeautifulSoup(page(client, "/courses?page=x"), "html.parser")
               .select(".course-card")) == PAGE_SIZE


def test_page_links_keep_the_filters(client, make):
    hub = make.organiser()
    for number in range(PAGE_SIZE + 1):
        make.edition(make.course(hub, title=f"Dementie {number:02d}"), place="Deinze")
    html = BeautifulSoup(page(client, "/courses?q=dementie&place=Deinze"), "html.parser")
    href = html.select_one('nav.pagination a[rel="next"]')["href"]
    assert "q=dementie" in href and "place=Deinze" in href and "page=2" in href


def test_the_api_course_list_is_kept_for_anonymous_callers_and_shows_a_change_at_once(
        app, client, make, auth):
    edition = make.edition(capacity=5)
    first = client.get("/api/v1/courses")
    assert first.status_code == 200 and first.content_type == "application/json"
    with counted_queries() as hit:
        again = client.get("/api/v1/courses")
    assert hit == []
    assert again.content_type == "application/json"
    assert again.get_json() == first.get_json()
    assert [course["id"] for course in again.get_json()["items"]] == [edition.course_id]

    db.session.get(Course, edition.course_id).title = "Tillen en verplaatsen"
    db.session.commit()
    titles = [course["title"] for course in client.get("/api/v1/courses").get_json()["items"]]
    assert titles == ["Tillen en verplaatsen"]


def test_an_api_caller_with_a_token_is_never_served_from_the_cache(app, client, make):
    make.edition()
    assert client.get("/api/v1/courses").status_code == 200  # kept for anonymous callers
    with counted_queries() as with_token:
        answer = client.get("/api/v1/courses", headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 200
    assert with_token != []  # answered by the view, for this caller


def test_a_refused_api_query_is_not_kept(app, client, make):
    make.edition()
    assert client.get("/api/v1/courses?limit=0").status_code == 422
    assert client.get("/api/v1/courses?limit=0").status_code == 422
    assert not any(b"limit=0" in key for key in redis_connection(app).scan_iter("college:pages:*"))
