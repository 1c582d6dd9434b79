"""Traceability APIs: the EPCIS 2.0 REST binding (/epcis/) and the platform's trace queries (/api/trace/)."""
