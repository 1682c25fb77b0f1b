"""The assistant's own sentences in each language it answers in.

A reply follows the language of the question: Chinese, or English for a question written
in English. Only the assistant's own words change; what it quotes (measure text, rule
summaries, conditions, department names) stays as the documents write it, and every
citation keeps its 第N条 so the links and the custom payload work the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from knowledge.formatting import zh_date
from knowledge.language import EN, ZH
from knowledge.models import Validity, ValidityStatus
from knowledge.validity import describe_validity

_PHRASES: dict[str, dict[str, str]] = {
    ZH: {
        "according_to": "根据{citation}:“{quote}”",
        "departments": "责任单位:{departments}。",
        "also_see": "另可参考{citation}:“{quote}”(责任单位:{departments})",
        "no_answer": ("抱歉,现有政策文件中没有找到与您的问题相关的措施。"
                      "您可以换一种说法,说明具体事项(如补贴、贷款、税费、展会、用工),"
                      "或直接输入措施编号(如“第50条”)查看原文。"),
        "overview_head": "与您的问题相关的措施有以下{count}条(按相关程度排列):",
        "overview_tail": "要详细了解哪一条?可以直接说“{example}”,或说出措施编号。",
        "check_intro": "我来按{citation}({summary})帮您核对条件。",
        "conditions_head": "{citation}({summary})的申请条件:",
        "conditions_known": "{citation}({summary})的申请条件,按您已说明的情况:",
        "ask_first": "帮您核对一下:{question}",
        "ask_next": "还需确认:{question}",
        "ask_again": "我们继续核对{citation}的条件。{question}",
        "ask_hint": "没能识别您的回答。{hint}。\n{question}",
        "noted": "好的,已记下。{question}",
        "verdict_met": "根据您提供的情况,符合{citation}({summary})的条件:",
        "verdict_not_met": "根据您提供的情况,不符合{citation}({summary})的条件:",
        "verdict_unknown": "目前还无法确定是否符合{citation}({summary})的条件:",
        "benefits": "可享受:{benefits}",
        "expired_note": "请注意:{citation}已于{date}到期,目前无法再按该条申请,以下仅供对照。",
        "contact": "具体办理请联系:{departments}。",
        "no_conditions": ("{citation}原文没有列出可以逐项核对的申请条件,"
                          "是否适用请咨询责任单位{departments}。"),
        "stopped": ("好的,已停止条件核对。您可以继续提问,例如某项补贴怎么申请、"
                    "某个部门负责哪些措施,或输入“第44条”查看原文。"),
        "stop": "好的。还有其他政策问题,可以随时问我。",
        "how_can_help": "好的。请问您想了解哪方面的政策?例如补贴、贷款、税费、展会、用工等。",
        "handled_by": "{citation}由{departments}负责。",
        "validity_of": "{citation}:{sentence}",
        "how_to_apply": ("{citation}原文没有写明具体的申请流程和所需材料,请直接联系责任单位"
                         "{departments}咨询办理。\n原文:“{quote}”\n{validity}"),
        "met": "符合", "not_met": "不符合", "unknown": "待确认",
        "yes": "是", "no": "否",
    },
    EN: {
        "according_to": "According to {citation} of the district's measures: “{quote}”",
        "departments": "Responsible department(s): {departments}.",
        "also_see": "See also {citation}: “{quote}” (responsible: {departments})",
        "no_answer": ("Sorry, none of the district's current policy measures answers this "
                      "question. Try describing the matter (a subsidy, a loan, taxes, trade "
                      "fairs, staff), or type a measure number such as “第50条”."),
        "overview_head": ("These {count} measures are relevant to your question "
                          "(most relevant first):"),
        "overview_tail": "Which one would you like to know more about? Name its number, e.g. “{example}”.",
        "check_intro": "Let me check the conditions of {citation} ({summary}) with you.",
        "conditions_head": "Conditions of {citation} ({summary}):",
        "conditions_known": "Conditions of {citation} ({summary}), given what you have told me:",
        "ask_first": "To check them: {question}",
        "ask_next": "One more thing: {question}",
        "ask_again": "Back to the conditions of {citation}. {question}",
        "ask_hint": "Sorry, I could not read that answer. {hint}.\n{question}",
        "noted": "Noted. {question}",
        "verdict_met": ("From what you have told me, you meet the conditions of "
                        "{citation} ({summary}):"),
        "verdict_not_met": ("From what you have told me, you do not meet the conditions of "
                            "{citation} ({summary}):"),
        "verdict_unknown": ("I cannot yet tell whether you meet the conditions of "
                            "{citation} ({summary}):"),
        "benefits": "What you can get: {benefits}",
        "expired_note": ("Please note: {citation} expired on {date}; it can no longer be "
                         "applied for, so this is for reference only."),
        "contact": "To apply, contact: {departments}.",
        "no_conditions": ("{citation} lists no conditions that can be checked one by one; "
                          "please ask the responsible department(s): {departments}."),
        "stopped": ("OK, I have stopped checking the conditions. Ask me anything else about "
                    "the district's measures."),
        "stop": "OK. Ask me any time about the district's policy measures.",
        "how_can_help": ("OK. Which kind of policy would you like to know about? For example "
                         "subsidies, loans, taxes, trade fairs or staff."),
        "handled_by": "{citation} is handled by {departments}.",
        "validity_of": "{citation}: {sentence}",
        "how_to_apply": ("{citation} does not set out an application procedure or the documents "
                         "needed; please contact the responsible department(s) directly: "
                         "{departments}.\nText: “{quote}”\n{validity}"),
        "met": "met", "not_met": "not met", "unknown": "to be confirmed",
        "yes": "yes", "no": "no",
    },
}

def say(lang: str, key: str, **values: Any) -> str:
    return _PHRASES.get(lang, _PHRASES[ZH])[key].format(**values)


def en_date(day: dt.date) -> str:
    return day.strftime("%d %B %Y").lstrip("0")


def validity_sentence(validity: Validity, lang: str) -> str:
    if lang != EN:
        return describe_validity(validity)
    successor = validity.superseded_by
    if validity.status is ValidityStatus.SUPERSEDED and successor is not None:
        return (f"It was replaced by {successor.citation} on {en_date(successor.since)}; "
                "the new provision applies.")
    if validity.status is ValidityStatus.EXPIRED and validity.end_date:
        return f"It ran until {en_date(validity.end_date)} and has expired."
    if validity.status is ValidityStatus.IN_FORCE and validity.end_date:
        return f"It runs until {en_date(validity.end_date)} and is in force today."
    return ("The document sets no end date for it; please check the responsible "
            "department's latest notices.")


def date_text(day: dt.date, lang: str) -> str:
    return en_date(day) if lang == EN else zh_date(day)
