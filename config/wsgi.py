"""The WSGI application gunicorn serves.

Requests under /api/ go to a Django handler with the API's own, shorter middleware list
(settings.API_MIDDLEWARE): a bearer-token call has no use for sessions, CSRF, messages,
allauth or login-attempt tracking, and skipping them is a good share of an API call's CPU.
The API authenticates every request itself and never reads a session cookie. Both handlers
set the same security headers.
"""

import os

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

API_PREFIX = "/api/"


class ApiHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        # Django builds the chain from settings.MIDDLEWARE; lend it the API's list while
        # this handler is built (once, at startup, before any request is served).
        pages_middleware = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = pages_middleware

    def get_response(self, request):
        # The Content-Length the pages get from CommonMiddleware (not in the API's list):
        # without it gunicorn frames each response in chunks, a third write per response
        # and slower reading for every client. A 204 must not carry one (RFC 9110).
        response = super().get_response(request)
        if (
            not response.streaming
            and response.status_code != 204
            and not response.has_header("Content-Length")
        ):
            response.headers["Content-Length"] = str(len(response.content))
        return response


def build_application():
    django.setup(set_prefix=False)
    pages, api = WSGIHandler(), ApiHandler()

    def application(environ, start_response):
        handler = api if environ.get("PATH_INFO", "").startswith(API_PREFIX) else pages
        return handler(environ, start_response)

    return application


application = build_application()
