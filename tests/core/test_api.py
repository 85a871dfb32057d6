"""The API's auth and error shape, and API token management."""

import pytest
from django.core.management import call_command
from ninja.constants import NOT_SET
from wagtail.models import APIToken

from accounts.api_tokens import MAX_ACTIVE_TOKENS, api_token_create
from config.api import api
from tests.factories import MembershipFactory, WorkerFactory

pytestmark = pytest.mark.django_db

# Operations anyone may call without a token.
PUBLIC_OPERATIONS: set[str] = {"/jobs", "/jobs/suggest"}  # public job search (jobs.search_api)


def effective_auth(router, operation):
    """The auth an operation runs with: its own, else its router's, else the API's."""
    for candidate in (operation.auth_param, router.auth, api.auth):
        if candidate is not NOT_SET:
            return candidate
    return None


def all_operations():
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield f"{prefix}{path}", effective_auth(router, operation)


def test_every_api_operation_requires_a_token_unless_declared_public():
    unprotected = [
        path for path, auth in all_operations() if not auth and path not in PUBLIC_OPERATIONS
    ]
    assert unprotected == []


def test_a_request_without_a_token_gets_a_json_401(client):
    response = client.get("/api/v1/me/qualifications")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_session_cookie_is_not_a_token(client):
    client.force_login(WorkerFactory())
    assert client.get("/api/v1/me/qualifications").status_code == 401


def test_a_worker_token_reads_their_qualifications(client):
    worker = WorkerFactory()
    _token, secret = api_token_create(user=worker, name="script")
    response = client.get(
        "/api/v1/me/qualifications", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    assert response.json() == {"grants": [], "open_attempts": []}


def test_a_revoked_token_stops_working(client):
    worker = WorkerFactory()
    token, secret = api_token_create(user=worker, name="script")
    token.revoke()
    response = client.get(
        "/api/v1/me/qualifications", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401


def test_a_deactivated_user_or_a_malformed_or_unknown_token_gets_a_401(client):
    worker = WorkerFactory()
    _token, secret = api_token_create(user=worker, name="script")
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    unknown = APIToken.generate_token()
    for presented in (wrong, unknown, "not-a-token"):
        response = client.get(
            "/api/v1/me/qualifications", headers={"Authorization": f"Bearer {presented}"}
        )
        assert response.status_code == 401, presented
    worker.is_active = False
    worker.save(update_fields=["is_active"])
    response = client.get(
        "/api/v1/me/qualifications", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401


def test_a_token_notes_its_last_use(client):
    token, secret = api_token_create(user=WorkerFactory(), name="script")
    client.get("/api/v1/me/qualifications", headers={"Authorization": f"Bearer {secret}"})
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_company_member_gets_a_json_403_on_worker_data(client):
    member = MembershipFactory().user
    _token, secret = api_token_create(user=member, name="script")
    response = client.get(
        "/api/v1/me/qualifications", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_the_openapi_schema_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/me/qualifications" in response.json()["paths"]


def test_tokens_are_stored_hashed():
    worker = WorkerFactory()
    token, secret = api_token_create(user=worker, name="script")
    stored = APIToken.objects.get(pk=token.pk)
    assert secret not in (stored.key_hash, stored.prefix)
    assert stored.key_hash in APIToken.candidate_key_hashes(secret)


def test_the_token_page_creates_shows_once_and_revokes(client):
    worker = WorkerFactory()
    client.force_login(worker)
    response = client.post("/accounts/api-tokens/", {"name": "Pipeline"})
    assert response.status_code == 200
    token = APIToken.objects.get(user=worker)
    secret = response.context["new_secret"]
    assert token.key_hash in APIToken.candidate_key_hashes(secret)
    assert secret not in client.get("/accounts/api-tokens/").content.decode()

    client.post("/accounts/api-tokens/", {"revoke": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_without_a_name_is_refused_and_nothing_is_created(client):
    worker = WorkerFactory()
    client.force_login(worker)
    response = client.post("/accounts/api-tokens/", {"name": "  "})
    assert response.status_code == 400
    assert "Give the token a name." in response.content.decode()
    assert not APIToken.objects.filter(user=worker).exists()


def test_nobody_can_revoke_another_persons_token(client):
    owner = WorkerFactory()
    token, _secret = api_token_create(user=owner, name="mine")
    client.force_login(WorkerFactory())
    response = client.post("/accounts/api-tokens/", {"revoke": token.pk})
    assert response.status_code == 400
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_number_of_active_tokens_is_capped():
    worker = WorkerFactory()
    for n in range(MAX_ACTIVE_TOKENS):
        api_token_create(user=worker, name=f"t{n}")
    with pytest.raises(Exception, match="at most"):
        api_token_create(user=worker, name="one more")
    assert APIToken.objects.filter(user=worker).count() == MAX_ACTIVE_TOKENS


def test_the_command_prints_a_working_token(capsys, client):
    worker = WorkerFactory(email="cli@example.org")
    call_command("create_api_token", "CLI@example.org")
    secret = capsys.readouterr().out.strip()
    response = client.get(
        "/api/v1/me/qualifications", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    assert APIToken.objects.filter(user=worker).count() == 1
