"""The register importer (issue: imports of CQC JSON, CQC's directory CSV and a council's own
spreadsheet through a saved column mapping; idempotent re-imports; rating history and
"regulator rating changed" events; per-row problems kept in an import report; unreadable
files refused with nothing written; progress on the terminal and in the browser).

Every test asserts what lands in the database. Inputs are built in the test (tmp_path); the
only shared file read is the real Trafford spreadsheet in shared/data."""
