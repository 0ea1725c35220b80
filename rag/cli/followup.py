"""Follow-up questions: "and what did Lavrov say?" made standalone before retrieval.

Retrieval and the answer prompt see one question, so a follow-up that leans on the
conversation is rewritten by the model (prompts/rewrite.*). The rewrite is then
checked by code: every name and number in it must occur in the conversation or in
the new question. A model that brings in a name of its own would send retrieval
after the wrong story, so such a rewrite is discarded and the question asked as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.prompting import load_prompt
from rag.text.arabic import INTERROGATIVES, clitic_forms, content_tokens, light_stem, normalize
from rag.verify.names import candidate_names, mentions, name_matches

CONTEXT_TURNS = 3  # the last turns shown to the rewriter
ANSWER_CHARS = 400  # of each earlier answer
REWRITE_MAX_TOKENS = 80
_FOLLOW_UP_STARTS = ("and ", "but ", "what about", "how about", "also ", "then ", "so ", "why not", "what else")
_REFERRING_WORDS = frozenset(
    """he she they him her them his hers their theirs its it this that these those there
    then such same former latter other""".split()
)
_ARABIC_REFERRING = frozenset(
    normalize(w)
    for w in """هو هي هم هما هن ذلك هذا هذه تلك هناك هنالك ذاك أولئك
    نفسه نفسها عنه عنها منه منها فيه فيها له لها وماذا وما ومن وكيف ولماذا ومتى وأين وهل""".split()
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")


@dataclass(frozen=True)
class Turn:
    question: str  # as typed
    asked: str  # what was retrieved and answered (the standalone form)
    answer: str


@dataclass(frozen=True)
class Rewrite:
    question: str  # what to retrieve and answer
    proposed: str | None  # the model's rewrite, None when none was asked for
    accepted: bool
    note: str  # one line for the screen ("" when no rewrite was needed)


def needs_context(question: str, turns: list[Turn]) -> bool:
    """Whether a question probably leans on the conversation (a rewrite costs a model call)."""
    if not turns:
        return False
    lowered = " ".join(question.lower().split())
    words = re.findall(r"[^\W_]+", lowered)
    if lowered.startswith(_FOLLOW_UP_STARTS) or any(w in _REFERRING_WORDS for w in words):
        return True
    if any(normalize(w) in _ARABIC_REFERRING for w in words):
        return True
    return len(words) <= 3


def conversation_text(turns: list[Turn]) -> str:
    lines = []
    for turn in turns[-CONTEXT_TURNS:]:
        answer = " ".join(turn.answer.split())
        lines.append(f"Q: {turn.asked}\nA: {answer[:ANSWER_CHARS]}")
    return "\n".join(lines)


def unsupported_terms(rewrite: str, context: str) -> list[str]:
    """Names and numbers of `rewrite` that `context` (the conversation and the new question) lacks."""
    # A Latin name may stand for an Arabic one of the conversation (Lavrov / لافروف): consonant skeletons.
    arabic_words = [w for w in re.findall(r"[^\W_]+", context) if _ARABIC_LETTER.search(w)]
    missing = [
        word
        for word, _ in candidate_names(rewrite)
        if not mentions(context, word) and not name_matches(word, arabic_words)
    ]
    known_numbers = set(_NUMBER.findall(context.translate(_DIGITS)))
    missing += [n for n in _NUMBER.findall(rewrite.translate(_DIGITS)) if n not in known_numbers]
    # Arabic has no capitals to tell names apart: every Arabic content word must come from the context.
    known_stems = {light_stem(form) for token in content_tokens(context) for form in clitic_forms(token)}
    for token in content_tokens(rewrite):
        if not _ARABIC_LETTER.search(token) or token in INTERROGATIVES:
            continue
        if not any(light_stem(form) in known_stems for form in clitic_forms(token)):
            missing.append(token)
    return list(dict.fromkeys(missing))


def clean_rewrite(text: str) -> str:
    """The model's reply as one question: its first line, without labels or quotes."""
    for line in text.splitlines():
        line = re.sub(r"^\s*(standalone question|question|السؤال)\s*[:：]\s*", "", line.strip(), flags=re.IGNORECASE)
        line = line.strip().strip("\"“”«»'").strip()
        if line:
            return line
    return ""


def rewrite_follow_up(
    question: str, turns: list[Turn], generator, on_token: Callable[[str], None] | None = None
) -> Rewrite:
    """The standalone form of `question` given the conversation, checked; the question itself when
    no rewrite is needed or the rewrite brings in what the conversation does not have."""
    if not needs_context(question, turns):
        return Rewrite(question, None, False, "")
    conversation = conversation_text(turns)
    system = load_prompt("rewrite.system").render()
    user = load_prompt("rewrite.user").render(conversation=conversation, question=question.strip())
    proposed = clean_rewrite(generator.complete(system, user, on_token, max_tokens=REWRITE_MAX_TOKENS).text)
    if not proposed:
        return Rewrite(question, proposed, False, "follow-up: the model gave no rewrite; asking as typed")
    if " ".join(proposed.split()) == " ".join(question.split()):
        return Rewrite(question, proposed, True, "")
    missing = unsupported_terms(proposed, conversation + "\n" + question)
    if missing:
        return Rewrite(
            question,
            proposed,
            False,
            f"follow-up rewrite {proposed!r} discarded (not in the conversation: {', '.join(missing)}); "
            "asking as typed",
        )
    return Rewrite(proposed, proposed, True, f"follow-up → {proposed}")
