"""What the app serves from: catalog, index and eligibility rules of one knowledge-base
version, loaded together and replaced together when another version goes live."""

from __future__ import annotations

from dataclasses import dataclass

from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.store import load_index
from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.settings import Settings, get_settings
from knowledge.versions import KbVersion, apply_version, live

# Searched once at load: the first search of a version initialises jieba with its
# dictionary (0.8 s here), which would otherwise fall on a user's turn in each worker
# after every start and every publish, instead of on the load before the swap.
WARM_UP_QUERY = "补贴"


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    index: HybridIndex
    rules: RuleBook
    # The published version served (None: settings' own paths, as in tests).
    kb_version: str | None = None


def load_services(settings: Settings | None = None, version: KbVersion | None = None) -> Services:
    settings = settings or get_settings()
    if version is not None:
        settings = apply_version(settings, version)
    catalog = Catalog.from_settings(settings)
    index = load_index(settings.resolved_index_dir, Embedder.from_settings(settings))
    index.search(WARM_UP_QUERY, k=1)
    return Services(settings, catalog, index, RuleBook.load(settings.eligibility_dir, catalog),
                    version.id if version else None)


def load_live_services(settings: Settings) -> Services:
    """The live version's services; the settings' own paths when nothing is published."""
    return load_services(settings, live(settings))
