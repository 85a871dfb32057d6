"""Django's PostgreSQL backend with a connection pool whose liveness test costs no round trip
(ENGINE "core.postgresql"; config/settings/production.py)."""
