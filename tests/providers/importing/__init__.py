"""Tests of the register importer (providers.importing and the import services)."""
