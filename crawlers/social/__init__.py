"""Social media: export-file import (``importer``) and API connectors (``youtube``, ``facebook``)."""
