"""The management API and the live dashboard (`serve --dashboard`): a wing above `host.py`.

Imported only when `--dashboard` is given: serving stdio alone never pays for uvicorn.
"""

from __future__ import annotations

from .serving import attach, mount

__all__ = ["attach", "mount"]
