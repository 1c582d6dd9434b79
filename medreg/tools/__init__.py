"""Build-time tools (no Django settings needed)."""
