"""Bulk import and export of registry data (CSV and .xlsx), all-or-nothing with a per-row report.

Public functions: `import_file` (validate a whole file, write it only when every row is valid),
`export_csv` / `export_xlsx` (the caller's scoped rows, with the import columns).
"""

from medreg.core.tabular import Limits
from medreg.registry.importing.columns import COLUMNS, Kind
from medreg.registry.importing.exporting import export_csv, export_xlsx
from medreg.registry.importing.importer import MAX_REPORTED_ERRORS, ImportReport, import_file

__all__ = [
    "COLUMNS",
    "MAX_REPORTED_ERRORS",
    "ImportReport",
    "Kind",
    "Limits",
    "export_csv",
    "export_xlsx",
    "import_file",
]
