"""
How fresh pages are: the freshness contract (README, "How pages stay fresh").

(Being rewritten; for now the generation is the release and the content version.)
"""

from django.conf import settings

from catalogue.models import SiteStats


def generation():
    """
    A short tag that changes whenever a curator-level change or a deploy makes every
    cached page stale: the release and the catalogue's content version.
    """
    return f"{settings.RELEASE}.{SiteStats.current_version()}"
