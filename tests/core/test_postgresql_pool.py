"""The pool's test of a connection before lending it (core/postgresql): a round trip only
when the server spoke to the idle connection, and a connection the server closed is never
lent."""

import socket
import time

import pytest
from django.db import connection

from core.postgresql.base import DatabaseWrapper, check_idle_connection


class FakeConnection:
    """The two things the check uses of a psycopg connection: its socket and `execute`."""

    def __init__(self, sock: socket.socket, *, fails: bool = False):
        self.sock, self.fails, self.executed = sock, fails, []
        self.autocommit = True

    def fileno(self) -> int:
        return self.sock.fileno()

    def execute(self, query: str):
        self.executed.append(query)
        if self.fails:
            raise ConnectionError("server closed the connection")


def test_an_idle_connection_with_nothing_to_read_is_lent_without_a_round_trip():
    # given a connection whose server has said nothing since it was returned to the pool
    ours, server = socket.socketpair()
    conn = FakeConnection(ours)
    # when the pool checks it
    check_idle_connection(conn)
    # then nothing was sent to the server
    assert conn.executed == []
    ours.close()
    server.close()


def test_a_connection_the_server_spoke_to_gets_the_empty_query_and_fails_if_dead():
    # given a connection whose server sent something (its goodbye) and closed
    ours, server = socket.socketpair()
    server.sendall(b"E")
    server.close()
    conn = FakeConnection(ours, fails=True)
    # when the pool checks it, then the empty query runs and its failure reaches the pool
    with pytest.raises(ConnectionError):
        check_idle_connection(conn)
    assert conn.executed == [""]
    ours.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the pool is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_pool_never_lends_a_connection_the_server_terminated_while_idle():
    # given a pool of one connection, checked before lending, and its connection back in it
    pooled = DatabaseWrapper(
        {
            **connection.settings_dict,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"pool": {"min_size": 1, "max_size": 1}},
        },
        alias="pool_check_test",
    )
    try:
        with pooled.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            first_pid = cursor.fetchone()[0]
        pooled.close()
        # when the server terminates that backend while the connection sits in the pool
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first_pid])
            for _ in range(100):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [first_pid])
                if cursor.fetchone()[0] == 0:
                    break
                time.sleep(0.05)
        # then the next request gets a working, new connection
        with pooled.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            second_pid = cursor.fetchone()[0]
        assert second_pid != first_pid
        assert pooled.pool.get_stats()["connections_lost"] == 1
    finally:
        pooled.close()
        pooled.close_pool()
