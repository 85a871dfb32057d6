"""Schemathesis walks every operation of /api/v1/openapi.json: no input gives a 5xx.

The schema is loaded from the Django app in-process (WSGI), and every operation is called
with generated valid and invalid input, as a company owner and as a worker. The number of
examples is bounded so the whole walk stays well under a minute.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from accounts.api_tokens import api_token_create
from tests.factories import MembershipFactory, WorkerFactory
from tests.marketplace.factories import make_items, make_project

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 8


def run_operation(operation, app, headers: dict, mode, path_ids: dict | None = None) -> None:
    strategy = operation.as_strategy(generation_mode=mode)
    if path_ids:
        strategy = strategy.map(lambda case: pin_path(case, path_ids))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=[not_a_server_error])

    call()


@pytest.fixture
def keep_the_test_connection():
    """The WSGI handler closes the database connection after each request, which would end
    the test's transaction; Django's own test client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def pin_path(case, path_ids: dict):
    """Point the generated case at real objects, so the code past the 404 runs too."""
    for name, value in path_ids.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    return case


def test_no_operation_answers_with_a_server_error(settings, tmp_path, keep_the_test_connection):
    settings.MEDIA_ROOT = tmp_path
    membership = MembershipFactory(role="owner")
    project = make_project(company=membership.company, status="draft")
    make_items(project, 2)
    make_items(project, 1, gold_label="positive")
    _token, owner_secret = api_token_create(user=membership.user, name="schemathesis")
    _token, worker_secret = api_token_create(user=WorkerFactory(), name="schemathesis")
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operations"

    for operation in operations:
        for secret in (owner_secret, worker_secret):
            headers = {"Authorization": f"Bearer {secret}"}
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run_operation(operation, app, headers, mode)
        owner = {"Authorization": f"Bearer {owner_secret}"}
        run_operation(operation, app, owner, GenerationMode.POSITIVE, {"project_id": project.pk})
