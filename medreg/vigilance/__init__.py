"""Pharmacovigilance: adverse event analysis for the medical products regulator."""
