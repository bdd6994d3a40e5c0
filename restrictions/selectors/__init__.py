"""Reads for restrictions, by topic: `status` (the placement status: the hot path),
`restrictions` (lists and one restriction), `lists` (issues of the lists), `feed` (the changes
feed and the checks log), `placement` (the placement check)."""
