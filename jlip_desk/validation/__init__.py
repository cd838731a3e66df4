"""Validation of entered values: formats, single values against fields, and whole rows."""
