"""Integrations of g4f with other frameworks (each imports its framework only when imported)."""

from __future__ import annotations
