"""The write stage: a file map onto the output folder, safely.

:mod:`.guard` refuses folders digest must not write into; :mod:`.stage` builds a new site
beside the old one and swaps it in; :mod:`.workarea` holds the lock and the temporary
folders beside the output; :mod:`.folder` ties them together for one-off and repeated builds.
"""

from .folder import OutputFolder, WriteResult, write_site

__all__ = ["OutputFolder", "WriteResult", "write_site"]
