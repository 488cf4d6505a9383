"""Catalogue pages (Danh mục): categories, equipment types and each unit's authorised holdings."""
