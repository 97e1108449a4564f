"""The editors' pronunciation lexicon, applied to every narration above the text front end's rules."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from masthead.audio.frontend.possessives import possessive_phonemes
from masthead.audio.models import PronunciationEntry

# Each matched word is parked on a private-use character while the text rules run, so no rule
# rewrites a respelling or phonemes; the spoken form goes in at the end.
PLACEHOLDER_BASE = 0xE100


@dataclass
class Lexicon:
    entries: list[PronunciationEntry]
    _patterns: list[tuple[re.Pattern, PronunciationEntry]] = field(init=False)

    def __post_init__(self):
        # Longest words first, so "Xi Jinping" wins over "Xi".
        ordered = sorted(self.entries, key=lambda entry: len(entry.word), reverse=True)
        self._patterns = [
            (re.compile(rf"(?<!\w){re.escape(entry.word)}(?!\w)", 0 if entry.match_case else re.IGNORECASE), entry)
            for entry in ordered
        ]

    @classmethod
    def load(cls) -> Lexicon:
        return cls(list(PronunciationEntry.objects.all()))

    def say(self, text: str, rules: Callable[[str], str], used: set[int] | None = None) -> str:
        """`text` with the lexicon's words swapped in and `rules` applied to the rest; notes the entries used."""
        parked: list[PronunciationEntry] = []

        def park(entry: PronunciationEntry) -> Callable[[re.Match], str]:
            def replace(match: re.Match) -> str:
                parked.append(entry)
                if used is not None:
                    used.add(entry.pk)
                return chr(PLACEHOLDER_BASE + len(parked) - 1)

            return replace

        for pattern, entry in self._patterns:
            text = pattern.sub(park(entry), text)
        text = rules(text)

        def restore(match: re.Match) -> str:
            entry = parked[ord(match["word"]) - PLACEHOLDER_BASE]
            if match["possessive"] and entry.phonemes:
                # Piper reads "[[ … ]]'s" as the letter "s": the ending goes inside the phonemes.
                return f"[[ {possessive_phonemes(entry.phonemes)} ]]"
            return entry.spoken_form + (match["possessive"] or "")

        if not parked:
            return text
        last = chr(PLACEHOLDER_BASE + len(parked) - 1)
        return re.sub(rf"(?P<word>[{chr(PLACEHOLDER_BASE)}-{last}])(?P<possessive>'s\b)?", restore, text)

    def version_of(self, entry_ids: Iterable[int]) -> str:
        """A hash of the entries (and their current wording) a narration used; "" when none."""
        chosen = sorted((entry for entry in self.entries if entry.pk in set(entry_ids)), key=lambda e: e.word)
        if not chosen:
            return ""
        text = "\n".join(f"{entry.word}\t{entry.match_case}\t{entry.spoken_form}" for entry in chosen)
        return hashlib.sha256(text.encode()).hexdigest()
