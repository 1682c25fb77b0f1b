"""Domain errors of the index package; the CLI and the API translate them at the edge."""

from __future__ import annotations


class SearchIndexError(Exception):
    """Base class for every error the index package raises on purpose."""


class IndexNotBuilt(SearchIndexError):
    def __init__(self, where: str) -> None:
        super().__init__(f"no index at {where}; run `policybot index build`")


class ModelMismatch(SearchIndexError):
    def __init__(self, index_model: str, configured: str) -> None:
        self.index_model = index_model
        self.configured = configured
        super().__init__(
            f"the index was built with model {index_model!r} but {configured!r} is configured; "
            "rebuild it with `policybot index build`"
        )


class ModelNotAvailable(SearchIndexError):
    pass
