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


def _uses_database(request) -> tuple[bool, bool]:
    """(uses the database, is transactional) for the test being set up."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(
        (marker and marker.kwargs.get("transaction")) or names & {"transactional_db", "live_server"}
    )
    return bool(marker or transactional or "db" in names), transactional


@pytest.fixture(autouse=True)
def _sqlite_ledger_triggers(request):
    """SQLite empties tables with DELETE, which the ledger's append-only triggers refuse.

    Each database test makes sure the triggers are in place; a transactional test drops them
    just before its flush (this fixture's teardown runs before the database fixture's).
    """
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    uses_database, transactional = _uses_database(request)
    if not uses_database:
        yield
        return
    from django.db import connection

    from payouts import append_only

    request.getfixturevalue("transactional_db" if transactional else "db")
    with connection.cursor() as cursor:
        for statement in append_only.create_statements("sqlite"):
            cursor.execute(statement)
    yield
    if transactional:
        with connection.cursor() as cursor:
            for statement in append_only.drop_statements("sqlite"):
                cursor.execute(statement)


# Set on a transactional test's item: the database blocker to lift for putting the
# migrations' rows back once the test's teardown has emptied the tables.
_REFILL_AFTER_FLUSH = pytest.StashKey[object]()


@pytest.fixture(autouse=True)
def _migrated_data_after_flush(request):
    """A transactional test ends by emptying every table, the migrations' rows too (content
    types, Wagtail's root page and site, reference data); pytest_runtest_teardown below
    puts them back.

    A single process runs the transactional tests last, but pytest-xdist
    (`pytest -n 2 --dist loadfile`) hands a worker whole files in any order, so a plain
    database test can come after a flush on the same database.
    """
    if _uses_database(request)[1]:
        request.node.stash[_REFILL_AFTER_FLUSH] = request.getfixturevalue("django_db_blocker")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # After every fixture's teardown: pytest-django's flush runs in one of them.
    result = yield
    blocker = item.stash.get(_REFILL_AFTER_FLUSH, None)
    # Even when the next test reloads them itself (serialized_rollback), it may be skipped
    # before it does (a PostgreSQL-only test on SQLite); reloading twice is harmless.
    if blocker is not None and nextitem is not None:
        from django.db import connection

        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            with blocker.unblock():
                connection.creation.deserialize_db_from_string(contents)
    return result


@pytest.fixture(autouse=True)
def _celery_join_allowed():
    """Eager tasks flag "inside a task" in one process-wide variable, saved and restored
    around each; two threads running eager tasks at once (the concurrency tests) can leave it
    set, and a later test's `.delay().get()` would then be refused. Each test starts clear."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


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
