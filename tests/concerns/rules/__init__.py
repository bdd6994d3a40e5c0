"""Escalation rules, one focused service test each: where a move may start, who may make it,
what it needs in writing, who may check and decide it, one open case and one pending move at
a time, triggers raised once, the append-only records and the decision maker's inbox."""
