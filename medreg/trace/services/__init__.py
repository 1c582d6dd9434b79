"""Traceability writes: capture submission and processing, recalls, alert handling."""
