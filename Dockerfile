# Loopwork production image: gunicorn serving config.wsgi; the same image runs Celery.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# curl for the health check; DejaVu fonts for the generated placeholder logos.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system loopwork \
    && useradd --system --gid loopwork --home-dir /app --no-create-home loopwork

WORKDIR /app

# Dependencies come from pyproject.toml and get their own layer, so a code change does not
# reinstall them. The code itself runs from /app (settings find templates and static files
# relative to it), so the project's own package is removed again after its dependencies.
COPY pyproject.toml ./
RUN pip install . && pip uninstall -y loopwork

COPY . .

# Static files are collected into the image. Production settings refuse the built-in
# insecure key, so this step gets a throwaway one; it is not kept in the image.
RUN SECRET_KEY=collectstatic-only-throwaway-key-not-used-at-runtime-0123456789 \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v 0 \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p var/media var/celery \
    && chown -R loopwork:loopwork var

USER loopwork

EXPOSE 8000
# A real request through Django (allauth's login page needs no data), sent as the proxy
# would send it: to the first allowed host, marked as HTTPS so it is not redirected.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS -o /dev/null -H "Host: ${ALLOWED_HOSTS%%,*}" -H "X-Forwarded-Proto: https" \
        http://127.0.0.1:8000/accounts/login/ || exit 1

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--timeout", "60", "--access-logfile", "-"]
