"""The national crisis centre dashboard: a live web page of an organisation's own outbox.

``serve_dashboard`` is the ``dashboard`` service of ``kcr run``. A user signs in with the
organisation's bridge API key and gets a signed session cookie; the page then follows the
organisation's outbox topic ``kcr.outbox.<org>`` as server-sent events, so it shows exactly
what the router (TLP, role, subscriptions) delivered to that organisation, and nothing more.
"""

from hub.dashboard.access import Viewer, viewer_of
from hub.dashboard.config import DashboardConfig
from hub.dashboard.server import serve_dashboard
from hub.dashboard.session import SessionSigner, load_secret
from hub.dashboard.tiles import Tile, tile_layout

__all__ = [
    "DashboardConfig",
    "SessionSigner",
    "Tile",
    "Viewer",
    "load_secret",
    "serve_dashboard",
    "tile_layout",
    "viewer_of",
]
