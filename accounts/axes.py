"""How django-axes names the account a failed sign-in was for.

allauth authenticates with credentials {"email": ..., "password": ...} while the form
field is "login", so axes' default lookup (AXES_USERNAME_FORM_FIELD in the credentials)
finds nothing and would lock the whole IP address instead of the one account.
"""


def login_username(request, credentials=None) -> str | None:
    """The lowercased email a sign-in attempt was for, from the credentials or the form."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("login")
    if not value and request is not None:
        data = getattr(request, "POST", None) or {}
        value = data.get("login")
    return value.strip().lower() if value else None
