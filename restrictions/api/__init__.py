"""REST endpoints for restrictions, by topic: `placements` (the status, bulk lookup and the
changes feed), `restrictions` (restrictions, appeals, notices), `lists` (issued lists and the
checks log)."""
