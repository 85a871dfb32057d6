import pytest
from django.core.cache import cache

from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, WorkerFactory


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
