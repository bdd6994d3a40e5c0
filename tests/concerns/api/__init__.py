"""The escalation API, role by role and scope by scope: 401 without credentials, 403 for a role
or token scope that may not (and for a move the caller's role may not make), 404 for what is
not there (also another council's: see test_tenancy), 400 naming the bad field, 409 with the
reason for a move not open from the case's stage, and the happy paths: opening a case, the
moves open from its stage, moves made at once (200) or recommended (202) and decided through
the pack's chain, the inbox, alerts, Bromley's exceptions and the safeguarding track.

Councils: Somerset (moves made at once, and the Board's decisions), West Berkshire (council_b:
the SRM and SM check, the Head of Commissioning decides) and Bromley (council_a: the DASS
decides; exceptions)."""
