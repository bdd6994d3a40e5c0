"""Tests of the concerns app: escalation cases, moves, decisions, alerts and their pages."""
