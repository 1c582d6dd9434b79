"""Settings packages: base (shared), demo (embedded SQLite), test, production."""
