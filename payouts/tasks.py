"""Celery tasks of the money side: thin, idempotent, each loads by id and calls a service."""
