"""Tests of the core app: working days, the audit log and timers."""
