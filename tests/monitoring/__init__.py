"""Tests of the monitoring app: commissioning, intelligence, risk, reviews and plans."""
