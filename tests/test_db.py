"""Query connections are locked down: no files outside the state and its extracts, no settings changes."""
import duckdb
import pytest

from analytics.db import connect, connect_store


def test_a_query_connection_cannot_read_files_outside_the_data(tiny):
    con = connect_store(tiny)
    with pytest.raises(duckdb.PermissionException):
        con.execute("SELECT * FROM read_csv('/etc/passwd')").fetchall()


def test_a_query_connection_cannot_loosen_its_settings(tiny):
    con = connect_store(tiny)
    for statement in ("SET enable_external_access = true", "SET memory_limit = '64GB'", "SET allowed_directories = ['/']"):
        with pytest.raises(duckdb.Error, match="[Cc]onfiguration"):
            con.execute(statement)


def test_an_empty_data_directory_gives_empty_tables_of_the_same_shape(tiny):
    empty, full = connect(None), connect_store(tiny)
    for table in ("cube", "cube_year", "retailer_year", "month_customers", "orders", "retailers", "skus"):
        assert empty.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
        assert [c[0] for c in empty.execute(f"DESCRIBE {table}").fetchall()] == \
            [c[0] for c in full.execute(f"DESCRIBE {table}").fetchall()], table
