"""Where the third-party conformance suites and data sets live (read in place, never copied)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(__import__("os").environ.get("MEDREG_SHARED_DIR", REPO_ROOT.parent / "shared")).resolve()
CONFORMANCE = SHARED / "conformance"
DATA = SHARED / "data"
