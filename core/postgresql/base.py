"""Django's PostgreSQL backend, except for the pool's test of a connection before lending it.

Django's pool (CONN_HEALTH_CHECKS) tests each connection with an empty query before lending
it: one round trip per request, a tenth of an API call's database round trips. Here the
test asks the kernel instead. A connection idle in the pool has nothing to read, so when its
socket is readable the server has said something while it sat there: almost always that it
is going away (a restart, pg_terminate_backend, an idle timeout all send an error and close
the socket). Only then is the empty query run, and it raises for a dead connection, which
the pool throws away before lending another.

The trade-off: a server that vanishes without a word (a network partition, a crashed host)
is not noticed before lending; the request's first query then fails. The empty query would
not have caught it either: it would have waited for an answer just the same.
"""

import select

from django.db.backends.postgresql import base
from django.db.utils import ImproperlyConfigured
from psycopg_pool import ConnectionPool

_UNSOLICITED = select.POLLIN | select.POLLERR | select.POLLHUP


def check_idle_connection(conn) -> None:
    """Raise if the pooled connection is dead; a round trip only when the server spoke."""
    poller = select.poll()
    poller.register(conn.fileno(), _UNSOLICITED)  # fileno() raises for a closed connection
    if poller.poll(0):
        ConnectionPool.check_connection(conn)


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        # Django's own property, but for the `check` handed to the pool.
        options = self.settings_dict["OPTIONS"].get("pool")
        if self.alias == base.NO_DB_ALIAS or not options:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise ImproperlyConfigured("Pooling doesn't support persistent connections.")
            connect_kwargs = {**self.get_connection_params(), "autocommit": True}
            pool = ConnectionPool(
                kwargs=connect_kwargs,
                open=False,
                configure=self._configure_connection,
                check=check_idle_connection if self.settings_dict["CONN_HEALTH_CHECKS"] else None,
                **({} if options is True else options),
            )
            self._connection_pools.setdefault(self.alias, pool)
        return self._connection_pools[self.alias]
