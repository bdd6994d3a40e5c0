"""Tests of the providers app: the register, its pages and API, and imports."""
