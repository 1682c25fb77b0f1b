"""What the app serves from: catalog, index and eligibility rules, loaded once in lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from index.embedder import Embedder
from index.hybrid import HybridIndex
from index.store import load_index
from knowledge.catalog import Catalog
from knowledge.eligibility import RuleBook
from knowledge.settings import Settings, get_settings


@dataclass
class Services:
    settings: Settings
    catalog: Catalog
    index: HybridIndex
    rules: RuleBook


def load_services(settings: Settings | None = None) -> Services:
    settings = settings or get_settings()
    catalog = Catalog.load(settings.sources_dir)
    index = load_index(settings.resolved_index_dir, Embedder.from_settings(settings))
    return Services(settings, catalog, index, RuleBook.load(settings.eligibility_dir, catalog))
