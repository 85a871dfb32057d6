from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, WorkerFactory


def pytest_sessionstart(session):
    """Drop a SQLite test database an interrupted run left behind, with its WAL files.

    Django replaces the main file but not `-wal`/`-shm`, and SQLite reads a stale WAL index
    as a disk I/O error.
    """
    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and test_name:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{test_name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def site_tree(db):
    from cms.site_tree import ensure_site_tree

    return ensure_site_tree()


@pytest.fixture
def worker(db):
    return WorkerFactory()


@pytest.fixture
def company(db):
    return CompanyFactory()


@pytest.fixture
def owner(company):
    return MembershipFactory(company=company, role="owner").user


@pytest.fixture
def worker_client(client, worker):
    client.force_login(worker)
    return client
