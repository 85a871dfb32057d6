"""Every URL declares who may reach it, and the declaration holds for real users."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.access import declared_access, third_party_access
from tests.factories import MembershipFactory, UserFactory, WorkerFactory


def walk(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def reachable_routes():
    """Each route once: a later pattern with the same route is shadowed and never served."""
    seen = set()
    for route, callback in walk():
        if route not in seen:
            seen.add(route)
            yield route, callback


ALL_ROUTES = list(reachable_routes())
OUR_ROUTES = [
    (route, callback) for route, callback in ALL_ROUTES if declared_access(callback) is not None
]


def sample_path(route: str) -> str:
    """A concrete path for a route, with made-up values for its parameters."""
    path = re.sub(r"<int:\w+>", "999999", route)
    path = re.sub(r"<(?:slug|str|path|uuid):\w+>|<\w+>", "sample", path)
    path = re.sub(r"[\^$]", "", path)
    return "/" + path


def test_every_route_declares_who_may_reach_it():
    undeclared = [
        route
        for route, callback in ALL_ROUTES
        if declared_access(callback) is None and third_party_access(route, callback) is None
    ]
    assert undeclared == []


def test_the_walk_sees_our_routes():
    kinds = {declared_access(callback).kind for _, callback in OUR_ROUTES}
    assert {"public", "signed_in", "worker", "company"} <= kinds


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "callback"),
    [(r, c) for r, c in OUR_ROUTES if declared_access(c).kind != "public"],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_anonymous_visitors_are_sent_to_login(client, route, callback, site_tree):
    response = client.get(sample_path(route))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "callback"),
    [(r, c) for r, c in OUR_ROUTES if declared_access(c).kind in ("company", "staff")],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_workers_are_refused_company_and_staff_routes(client, route, callback, site_tree):
    client.force_login(WorkerFactory())
    for method in (client.get, client.post):
        response = method(sample_path(route))
        # The Wagtail admin refuses people without admin access by sending them to log in.
        refused_by_admin = route.startswith("admin/") and response.status_code == 302
        assert response.status_code == 403 or refused_by_admin
        if refused_by_admin:
            assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "callback"),
    [(r, c) for r, c in OUR_ROUTES if declared_access(c).kind == "worker"],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_company_members_are_refused_worker_routes(client, route, callback, site_tree):
    client.force_login(MembershipFactory().user)
    assert client.get(sample_path(route)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "callback"),
    [
        (r, c)
        for r, c in OUR_ROUTES
        if declared_access(c).kind == "company" and "reviewer" not in declared_access(c).roles
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_reviewers_are_refused_routes_for_owners_and_managers(client, route, callback, site_tree):
    client.force_login(MembershipFactory(role="reviewer").user)
    assert client.post(sample_path(route)).status_code == 403


@pytest.mark.django_db
def test_the_wagtail_admin_refuses_people_without_admin_access(client, site_tree):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    assert not response.get("Location", "").startswith("/admin/")
