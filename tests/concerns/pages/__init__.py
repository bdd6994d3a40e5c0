"""Escalation pages: who may see them, the case page's ladder (current stage marked for
screen readers) and its moves (open ones as buttons, closed ones with why), the move form's
errors, the approvals inbox (oldest first), the location page's case panel, and a constant
number of queries whatever the number of cases or moves."""
