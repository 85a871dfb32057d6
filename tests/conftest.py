import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, WorkerFactory


def pytest_sessionstart(session):
    """Drop SQLite test databases that interrupted runs left in var/, with their WAL files.

    Each run's file is named after its process id; a file whose process is gone is stale.
    """
    if not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        return
    for stale in Path(settings.BASE_DIR, "var").glob("test-*.sqlite3*"):
        pid = stale.name.removeprefix("test-").split(".", 1)[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            stale.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
