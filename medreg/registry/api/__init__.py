"""The registry's JSON API (mounted under /api/registry/)."""
