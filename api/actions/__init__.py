"""Custom actions served to Rasa through /webhook, by name."""

from api.actions.answers import ANSWER_ACTIONS
from api.actions.base import Action
from api.actions.eligibility import ELIGIBILITY_ACTIONS
from api.actions.questions import QUESTION_ACTIONS

ACTIONS: dict[str, Action] = {**ANSWER_ACTIONS, **QUESTION_ACTIONS, **ELIGIBILITY_ACTIONS}

__all__ = ["ACTIONS", "Action"]
