"""Does a quiz measure understanding? Blind strategies, balance, and prompts that repeat.

A blind strategy answers without understanding the question (always the first choice, the
longest, "true" every time ...). Its score over the whole pool is an expected value: where a
strategy has several equal candidates (two choices equally long) it picks one at random, and
where it has nothing to go on (a put-in-order question, shown shuffled) it guesses.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from course.content.model import Question, Quiz

Answer = tuple[str, ...]
# None: the strategy has nothing to go on and guesses; otherwise the answers it picks among.
Rule = Callable[[Question], list[Answer] | None]

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    """a an the and or but of to in on at for with is are was were be been being it its this that these
    those you your yours they them their he she him his her we our us i me my as by from if not no do does
    did done can will would should could may might what which who whom when where how why there than so
    then just also about into out up more most some any one has have had get gets got very all
    select apply true false following""".split()
)
ABSOLUTE_WORDS = frozenset(
    "always never only all none every everyone everything nobody nothing must completely guaranteed".split()
)
SIMILAR_PROMPT_SHARE = 0.5  # share of content words two prompts have in common (Jaccard)
SIMILAR_PROMPT_MIN_WORDS = 4


def words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("’", "'"))


def content_words(text: str) -> frozenset[str]:
    """Return the words that carry meaning (no stop words), with a plural 's' trimmed."""
    found = set()
    for word in words(text):
        if word in STOP_WORDS:
            continue
        found.add(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return frozenset(found)


def word_share(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


# --- the strategies -------------------------------------------------------------------


def _one_of(question: Question, pick: Callable[[list[int]], list[int]]) -> list[Answer] | None:
    """Pick choice indexes from the question's choices; a single-pick answer for each candidate."""
    if question.type == "order":
        return None
    indexes = pick([len(choice.text) for choice in question.choices])
    return [(question.choices[i].id,) for i in indexes]


def _extreme(lengths: list[int], best: int) -> list[int]:
    return [i for i, length in enumerate(lengths) if length == best]


def first_choice(question: Question) -> list[Answer] | None:
    return _one_of(question, lambda lengths: [0])


def last_choice(question: Question) -> list[Answer] | None:
    return _one_of(question, lambda lengths: [len(lengths) - 1])


def longest_choice(question: Question) -> list[Answer] | None:
    if question.type == "true_false":
        return None
    return _one_of(question, lambda lengths: _extreme(lengths, max(lengths)))


def shortest_choice(question: Question) -> list[Answer] | None:
    if question.type == "true_false":
        return None
    return _one_of(question, lambda lengths: _extreme(lengths, min(lengths)))


def answer_true(question: Question) -> list[Answer] | None:
    return [("true",)] if question.type == "true_false" else None


def answer_false(question: Question) -> list[Answer] | None:
    return [("false",)] if question.type == "true_false" else None


def tick_every_box(question: Question) -> list[Answer] | None:
    return [question.choice_ids] if question.type == "multiple" else None


def tick_all_but_the_last(question: Question) -> list[Answer] | None:
    return [question.choice_ids[:-1]] if question.type == "multiple" else None


def echo_the_prompt(question: Question) -> list[Answer] | None:
    """Pick the choice that shares the most words with the prompt (none shared: guess)."""
    if question.type in ("order", "true_false"):
        return None
    prompt = content_words(question.prompt)
    shared = [len(prompt & content_words(choice.text)) for choice in question.choices]
    if max(shared) == 0:
        return None
    return [(question.choices[i].id,) for i in _extreme(shared, max(shared))]


def avoid_absolutes(question: Question) -> list[Answer] | None:
    """Distrust "always", "never", "only" ...: such statements are false, such choices wrong."""
    if question.type == "order":
        return None
    if question.type == "true_false":
        return [("false",)] if ABSOLUTE_WORDS & set(words(question.prompt)) else [("true",)]
    plain = [choice.id for choice in question.choices if not ABSOLUTE_WORDS & set(words(choice.text))]
    if not plain or len(plain) == len(question.choices):
        return None
    return [tuple(plain)] if question.type == "multiple" else [(choice_id,) for choice_id in plain]


def testwise_mix(question: Question) -> list[Answer] | None:
    """The habits of a test-wise guesser: the longest choice, "true", tick every box."""
    if question.type == "true_false":
        return answer_true(question)
    if question.type == "multiple":
        return tick_every_box(question)
    return longest_choice(question)


STRATEGIES: dict[str, Rule] = {
    "always the first choice (file order)": first_choice,
    "always the last choice (file order)": last_choice,
    "the longest choice": longest_choice,
    "the shortest choice": shortest_choice,
    'every true/false "true"': answer_true,
    'every true/false "false"': answer_false,
    "tick every box": tick_every_box,
    "tick all but the last box": tick_all_but_the_last,
    "the choice that repeats the prompt's words": echo_the_prompt,
    'distrust "always", "never", "only"': avoid_absolutes,
    'longest, "true", every box': testwise_mix,
}


def random_guess_chance(question: Question) -> float:
    """Return the chance that a pure guess is right."""
    count = len(question.choices)
    if question.type == "multiple":
        return 1 / (2**count - 1)
    if question.type == "order":
        return 1 / math.factorial(count)
    return 1 / count


def _is_right(question: Question, answer: Answer) -> bool:
    if question.type == "order":
        return answer == question.correct_answer
    return set(answer) == set(question.correct_answer)


def expected_right(question: Question, rule: Rule) -> float:
    """Return the chance that the strategy gets the question right."""
    candidates = rule(question)
    if candidates is None:
        return random_guess_chance(question)
    return sum(_is_right(question, answer) for answer in candidates) / len(candidates)


@dataclass(frozen=True)
class StrategyScore:
    strategy: str
    expected_right: float
    pool: int

    @property
    def percent(self) -> float:
        return 100 * self.expected_right / self.pool if self.pool else 0.0


def strategy_scores(quiz: Quiz) -> list[StrategyScore]:
    """Score every blind strategy over the quiz's whole pool, best first."""
    scores = [
        StrategyScore(name, sum(expected_right(question, rule) for question in quiz.questions), len(quiz.questions))
        for name, rule in STRATEGIES.items()
    ]
    return sorted(scores, key=lambda score: -score.expected_right)


def strategy_table(quiz: Quiz, title: str) -> str:
    """Return a plain-text table of the blind strategies' scores, for `content check`."""
    lines = [f"{title}: pool {len(quiz.questions)}, draw {quiz.draw or 'all'}, pass mark {quiz.pass_mark}%"]
    for score in strategy_scores(quiz):
        flag = "  <- reaches the pass mark" if score.percent >= quiz.pass_mark else ""
        lines.append(f"  {score.percent:5.1f}%  {score.expected_right:5.1f} of {score.pool}  {score.strategy}{flag}")
    return "\n".join(lines)


def blind_strategy_problems(quiz: Quiz) -> list[str]:
    """Return a message for every blind strategy that reaches the quiz's pass mark."""
    return [
        f"the blind strategy “{score.strategy}” scores {score.percent:.0f}% over the pool, at or above the "
        f"pass mark of {quiz.pass_mark}%: vary the position, length and wording of right answers"
        for score in strategy_scores(quiz)
        if quiz.questions and score.percent >= quiz.pass_mark
    ]


def true_false_balance_problem(quiz: Quiz) -> str | None:
    """With 4 or more true/false questions, neither answer may be right in more than 2/3 of them."""
    answers = [question.correct_answer for question in quiz.questions if question.type == "true_false"]
    if len(answers) < 4:
        return None
    true = answers.count(("true",))
    most = max(true, len(answers) - true)
    if most * 3 <= len(answers) * 2:
        return None
    return (
        f"{true} of {len(answers)} true/false questions are true and {len(answers) - true} false: "
        "balance them (neither answer in more than 2/3)"
    )


def similar_prompts(modules_questions: list[tuple[str, Question]]) -> list[tuple[int, int, float]]:
    """Return (i, j, share) for prompts of different modules that nearly repeat each other (i < j)."""
    prepared = [(module, content_words(question.prompt)) for module, question in modules_questions]
    found = []
    for j, (module_j, words_j) in enumerate(prepared):
        if len(words_j) < SIMILAR_PROMPT_MIN_WORDS:
            continue
        for i in range(j):
            module_i, words_i = prepared[i]
            if module_i == module_j or len(words_i) < SIMILAR_PROMPT_MIN_WORDS:
                continue
            share = word_share(words_i, words_j)
            if share >= SIMILAR_PROMPT_SHARE:
                found.append((i, j, share))
    return found
