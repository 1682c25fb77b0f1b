"""Words that steer a conversation rather than name a policy: "算了", "我符合吗",
"都有哪些", "那条呢". The dialogue (api/actions/) reads them; they are kept here, with
the rest of the Chinese the assistant understands, so a new way of saying one of them is
a word added to a tuple."""

from __future__ import annotations

import re

from knowledge.quantities import normalise

# A message that gives up the current check, possibly followed by a new question in the
# same breath ("算了,我还是问问展会补贴吧").
_STOP = re.compile(
    r"^\s*(?:算了算了|算了吧|算了|不问了|不用了|不查了|不核对了|不测了|先不弄了|先不查了|取消吧|取消|"
    r"换个问题|换个话题|不说这个了|这个先放一放|先不说这个)"
    r"[\s,,。.!!~、;;]*(?:吧[\s,,。.!!]*)?(?:我想|我还是|还是|那|那我|再)?")
# An explicit request to check the conditions, as opposed to a question about the measure.
_CHECK_REQUEST = re.compile(r"核对|核一下|符合|够条件|够不够|够格|够得上|资格|判断一下|评估|测一下|"
                            r"满足.{0,6}(?:条件|要求)|条件吗|能不能享受|有没有资格")
# A question asking for several measures at once ("外贸企业都有哪些扶持?").
_BROAD = re.compile(r"哪些|都有什么|都有啥|有什么(?:政策|扶持|支持|优惠|措施|补贴)|"
                    r"有啥(?:政策|扶持|支持|优惠)|什么(?:政策|扶持政策|支持政策|优惠政策)|几条|"
                    r"汇总|盘点|梳理一下|列一下|都有哪|相关政策")
# A question for every measure the speaker can use, the policy-matching question
# ("有哪些政策可以享受?", "我们能申请哪些补贴?", "适合我们的政策有哪些"); stricter than a
# broad question ("外贸企业都有哪些扶持?"), which wants an overview of a topic.
_GENERAL = r"(?:惠企政策|优惠政策|扶持政策|支持政策|政策措施|政策|措施|优惠)"
_APPLIES = re.compile(
    r"(?:哪些|什么|啥)" + _GENERAL + r"?[^,,。??!!;;]{0,4}(?:可以|能|能够|可)(?:享受|申请|用上|适用)|"
    r"(?:可以|能|能够|可)(?:享受|申请|用上|适用)(?:到)?(?:哪些|什么|啥|几条)(?=" + _GENERAL +
    r"|$|[??。,,!!])|"
    r"(?:符合|适用|适合|够得上)(?:哪些|什么|啥|几条)" + _GENERAL + r"|"
    r"(?:适合|适用于)(?:我们|我|本公司|我司)(?:的)?(?:政策|措施)|"
    r"政策匹配|匹配(?:一下)?(?:政策|措施)|政策计算器")
# A follow-up that picks one item of a list just shown ("展会那条呢?", "第二个").
_PICK = re.compile(r"那条|这条|那个|这个|那项|这项|哪条|呢|第[一二三四五六七八九十\d]+个")


# What a follow-up asks about a measure (its department, validity, procedure), as opposed
# to what names the measure: "这个钱找哪个部门申请?" names none, "那展会的找哪个部门?" does.
FOLLOW_UP_WORDS = frozenset([
    "部门", "哪个部门", "什么部门", "负责", "归", "管", "找", "谁", "单位", "科室", "窗口", "有效",
    "有效期", "到期", "截止", "过期", "还有", "现在", "目前", "申请", "办理", "流程", "材料",
    "什么时候", "时候", "多久", "期限", "时间", "截止时间", "哪天", "几号", "哪年",
    "怎么", "具体", "钱", "这个", "那个", "这", "那", "它", "政策", "措施", "规定", "事", "事情",
    "department", "responsible", "valid", "expire", "apply", "handle", "contact", "office",
    "policy", "measure", "still", "who", "which"])
_SPECIFIC = re.compile(r"部门|负责|归谁|找谁|谁管|有效|到期|截止|过期|怎么申请|如何申请|流程|材料|"
                       r"department|responsible|valid|expire|apply|contact", re.IGNORECASE)


def after_stop(text: str) -> str | None:
    """What follows a leading "算了" (possibly ""), or None when the message does not
    start by giving up. "算了,不查了" gives up twice and asks nothing."""
    text = normalise(text)
    m = _STOP.match(text)
    if m is None:
        return None
    rest = text[m.end():].strip()
    again = after_stop(rest) if rest else None
    return again if again is not None else rest


def asks_specifically(text: str) -> bool:
    """The message asks for a department, the validity or the procedure."""
    return bool(_SPECIFIC.search(normalise(text)))


def asks_to_check(text: str) -> bool:
    return bool(_CHECK_REQUEST.search(normalise(text)))


def asks_for_many(text: str) -> bool:
    return bool(_BROAD.search(normalise(text)))


def asks_what_applies(text: str) -> bool:
    """The message asks which measures apply to the speaker (matching, not one topic)."""
    return bool(_APPLIES.search(normalise(text)))


# "第二条" right after a numbered list: the list's second item, not the document's 第2条.
LIST_ITEM = re.compile(r"第([一二三四五六七八九十]|\d{1,2})(?:条|个|项)")


def picks_from_list(text: str) -> bool:
    return bool(_PICK.search(normalise(text)))
