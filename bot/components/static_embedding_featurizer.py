"""Dense features for Rasa's NLU from the project's distilled static embedding model.

Bag-of-words features only know the words seen in training, so an off-topic question
("以太坊现在多少钱一个") or a paraphrase with unseen words lands on whichever intent shares
a function word. The static model (distilled by `policybot model build` from a
multilingual sentence encoder) carries general meaning for ~32k Chinese words at a
lookup's cost (well under a millisecond per message), so it gives the intent classifier
semantic features without a transformer at prediction time.

Its folder is config.yml's model_path, which names the project setting through
POLICYBOT_DISTILLED_MODEL_DIR (exported by scripts/train-bot.sh from `policybot model
path`). There is no default here: this environment cannot import the settings, and a
second default could point somewhere else.

The sentence vector is the model's encoding of the whole message (see
static_embedding.py); each jieba token gets the same treatment on its own text, as
sequence features.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer as RasaTokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.static_embedding import StaticEmbedding, model_digest

log = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class StaticEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the static model's vectors as dense sequence and sentence features of TEXT."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [RasaTokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # weight: the vectors are unit length (values ~0.04), while the sparse features
        # are counts; a classifier with a fixed L2 penalty (LogisticRegression) needs
        # them scaled up to weigh as much as the words.
        return {**DenseFeaturizer.get_default_config(), "model_path": None, "weight": 1.0}

    @staticmethod
    def required_packages() -> list[str]:
        return ["numpy", "safetensors", "tokenizers"]

    def __init__(self, config: dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self.model = StaticEmbedding(Path(self._config["model_path"]))
        log.info("static embedding featurizer: %s (digest %s, %d-d)",
                 self._config["model_path"], self.model.digest, self.model.dimension)

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> StaticEmbeddingFeaturizer:
        return cls(config, execution_context)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa's training cache keys a component's output on its config and inputs only.
        The model's files are neither, so without this a re-distilled model would leave
        the classifier trained on cached features from the old one."""
        model_path = config.get("model_path")
        return model_digest(Path(model_path)) if model_path else None

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not str(config.get("model_path") or "").strip():
            raise ValueError("StaticEmbeddingFeaturizer needs a model_path (config.yml: "
                             "${POLICYBOT_DISTILLED_MODEL_DIR}, set by scripts/train-bot.sh)")

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._featurize(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _featurize(self, message: Message) -> None:
        tokens = message.get(TOKENS_NAMES[TEXT])
        text = message.get(TEXT)
        if not tokens or not text:
            return
        vectors = self.model.encode([token.text for token in tokens] + [text])
        vectors *= float(self._config["weight"])
        sequence, sentence = vectors[:-1], vectors[-1:]
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, alias))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, alias))
