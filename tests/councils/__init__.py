"""Tests of the councils app: policy packs, people, roles and delegations."""
