"""Reads `lp convert --to arrow` output of the home sample with pyarrow and
DuckDB, as an Arrow user would, and checks it against the sample's table.

usage: arrow-readers.py STREAM TABLE_MD

STREAM is the Arrow IPC stream of measurement `home`; TABLE_MD is
tests/data/home-table.md, the table a query of the written data shows.
Exits 1 with a message on the first difference.
"""

import sys

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc


def fail(message):
    print(f"arrow-readers: {message}", file=sys.stderr)
    sys.exit(1)


def cell(value):
    """A value as the sample's table writes it."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def main():
    stream, table_md = sys.argv[1], sys.argv[2]
    with open(stream, "rb") as source:
        home = ipc.open_stream(source).read_all()

    schema = home.schema
    if schema.metadata.get(b"iox::measurement::name") != b"home":
        fail(f"schema metadata {schema.metadata}")
    expected = {
        "room": (pa.dictionary(pa.int32(), pa.string()), b"iox::column_type::tag"),
        "co": (pa.int64(), b"iox::column_type::field::integer"),
        "hum": (pa.float64(), b"iox::column_type::field::float"),
        "temp": (pa.float64(), b"iox::column_type::field::float"),
        "time": (pa.timestamp("ns"), b"iox::column_type::timestamp"),
    }
    if schema.names != list(expected):
        fail(f"columns {schema.names}, expected {list(expected)}")
    for name, (data_type, role) in expected.items():
        field = schema.field(name)
        if field.type != data_type:
            fail(f"column {name} is {field.type}, expected {data_type}")
        if field.metadata.get(b"iox::column::type") != role:
            fail(f"column {name} has metadata {field.metadata}")

    rows = duckdb.sql(
        "SELECT time, room, co, hum, temp FROM home ORDER BY room, time"
    ).fetchall()
    got = [[cell(value) for value in row] for row in rows]

    with open(table_md, encoding="utf-8") as table:
        lines = [line for line in table.read().splitlines() if line.startswith("|")]
    header, body = lines[0], lines[2:]
    names = [name.strip() for name in header.strip("|").split("|")]
    if names != ["time", "room", "co", "hum", "temp"]:
        fail(f"the table's columns are {names}")
    want = [[value.strip() for value in line.strip("|").split("|")] for line in body]
    if got != want:
        for number, (a, b) in enumerate(zip(got, want), start=1):
            if a != b:
                fail(f"row {number}: DuckDB gives {a}, the table {b}")
        fail(f"DuckDB gives {len(got)} rows, the table {len(want)}")
    print(f"pyarrow schema and DuckDB query match {table_md}: {len(got)} rows")


main()
