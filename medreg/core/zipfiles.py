"""What reading an uploaded zip archive can raise (no Django import: pure code may use it)."""

import zipfile

# zipfile's errors for damaged or crafted archives. NotImplementedError is caught, never raised here: it
# is zipfile's answer to a compression method it does not support (an exotic or crafted archive), bad
# input like the rest, to be answered with a clear error naming the file, never a 500.
ZIP_READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError)
