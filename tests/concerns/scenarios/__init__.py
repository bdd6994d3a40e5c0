"""Escalation scenarios: each council's ladder walked end to end, up and back down, through the
services (case_open, case_move, recommendation_act), with the chain of checks and the decision
its pack names. After every move: the stage, the CaseMove record, the "case.moved" audit entry
and the move's effects (deadlines in the pack's units, letter requests, automatic reviews).

Seeds: 000 Bromley, 001 Bedford, 002 Bradford, 003 Somerset, 004 West Berkshire."""
