"""Domain errors of the index package; the CLI and the API translate them at the edge."""

from __future__ import annotations


class IndexError_(Exception):
    """Base class (named to avoid shadowing the builtin IndexError)."""


class IndexNotBuilt(IndexError_):
    def __init__(self, where: str) -> None:
        super().__init__(f"no index at {where}; run `policybot index build`")


class ModelMismatch(IndexError_):
    def __init__(self, index_model: str, configured: str) -> None:
        self.index_model = index_model
        self.configured = configured
        super().__init__(
            f"the index was built with model {index_model!r} but {configured!r} is configured; "
            "rebuild it with `policybot index build`"
        )


class ModelNotAvailable(IndexError_):
    pass
