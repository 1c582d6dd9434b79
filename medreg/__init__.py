"""medreg: an open platform for medical products regulators."""
