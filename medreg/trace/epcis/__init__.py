"""EPCIS 2.0 support: capture-side helpers such as the canonical event hash."""
