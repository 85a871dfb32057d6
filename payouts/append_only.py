"""Database triggers that refuse UPDATE and DELETE on ledger rows (migration 0002 installs them).

PostgreSQL: row triggers, so TRUNCATE (which only a database owner runs, and the test suite
uses to empty tables) is not refused. SQLite has no TRUNCATE, so the suite drops the triggers
around its table flush (tests/conftest.py) and puts them back after.
"""

TABLES = ("payouts_ledgerentry", "payouts_ledgertransaction")

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION payouts_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [_POSTGRES_FUNCTION] + [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION payouts_ledger_append_only()"
            for table in TABLES
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation.lower()} BEFORE {operation} "
            f"ON {table} BEGIN SELECT RAISE(ABORT, "
            f"'ledger rows are append-only ({operation} on {table})'); END"
            for table in TABLES
            for operation in ("UPDATE", "DELETE")
        ]
    raise RuntimeError(f"no append-only triggers written for {vendor}")


def drop_statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES] + [
            "DROP FUNCTION IF EXISTS payouts_ledger_append_only()"
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
        for table in TABLES
        for operation in ("update", "delete")
    ]
