"""Writes the home sample to the `ingest` example server through a real
InfluxDB client library, with the calls of InfluxDB's getting-started
guide; run by .ci/ingest-clients.

usage: ingest-clients.py CLIENT URL TOKEN DATABASE

CLIENT is one of:
  v3           influxdb3-python as the guide uses it: client.write(lines,
               write_precision='s') (the client posts to /api/v2/write)
  v3-write-lp  the same, told to use /api/v3/write_lp (write_use_v2_api=False)
  v2           influxdb-client: write_api.write(bucket, record=lines,
               write_precision='s')
  v2-gzip      the same with enable_gzip=True
  errors       how the two clients report what the server refuses: a
               partial write, a field type conflict, a wrong token
"""

import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "home.lp"
LINES = [line for line in SAMPLE.read_text().splitlines() if line]


def influxdb3(url, token, database, **options):
    from influxdb_client_3 import InfluxDBClient3

    return InfluxDBClient3(host=url, token=token, database=database, **options)


def influxdb2(url, token, **options):
    from influxdb_client import InfluxDBClient

    return InfluxDBClient(url=url, token=token, org="get-started", **options)


def write_v2(url, token, database, **options):
    from influxdb_client.client.write_api import SYNCHRONOUS

    with influxdb2(url, token, **options) as client:
        write_api = client.write_api(write_options=SYNCHRONOUS)
        write_api.write(database, record=LINES, write_precision="s")


def check_errors(url, token, database):
    from influxdb_client.client.write_api import SYNCHRONOUS
    from influxdb_client.rest import ApiException
    from influxdb_client_3.exceptions import InfluxDBPartialWriteError

    client = influxdb3(url, token, database, write_use_v2_api=False)
    try:
        client.write(["m v=1i 1641024000", "m v=oops 1641027600"], write_precision="s")
        raise AssertionError("a partial write raised nothing")
    except InfluxDBPartialWriteError as error:
        [line] = error.line_errors
        assert line.line_number == 2, line
        assert line.original_line == "m v=oops 1641027600", line
        assert "`oops` for field `v` is not a number" in line.error_message, line

    with influxdb2(url, token) as v2:
        try:
            v2.write_api(write_options=SYNCHRONOUS).write(
                database, record="m v=1.5 1641031200", write_precision="s"
            )
            raise AssertionError("a field type conflict raised nothing")
        except ApiException as error:
            assert error.status == 400, error
            assert "field type conflict: field `v` of measurement `m` is integer" in error.body, error

    with influxdb2(url, "not-" + token) as v2:
        try:
            v2.write_api(write_options=SYNCHRONOUS).write(database, record=LINES, write_precision="s")
            raise AssertionError("a wrong token raised nothing")
        except ApiException as error:
            assert error.status == 401, error


def main(client, url, token, database):
    if client == "v3":
        influxdb3(url, token, database).write(LINES, write_precision="s")
    elif client == "v3-write-lp":
        influxdb3(url, token, database, write_use_v2_api=False).write(LINES, write_precision="s")
    elif client == "v2":
        write_v2(url, token, database)
    elif client == "v2-gzip":
        write_v2(url, token, database, enable_gzip=True)
    elif client == "errors":
        check_errors(url, token, database)
    else:
        sys.exit(f"unknown client {client!r}\n{__doc__}")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
