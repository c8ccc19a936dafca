"""Query a built search index from Python, the way static/search.js does.

Reads only the files the script would fetch (manifest, the shards of the
query's words, the document chunks of the results), so a test that passes
here also shows the index is complete and loadable piece by piece.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_WORD = re.compile(r"[^\W_]+")


@dataclass
class SearchIndex:
    folder: Path  # the output's search/ folder
    fetched: list[str] = field(default_factory=list)

    def load(self, name: str) -> object:
        self.fetched.append(name)
        return json.loads((self.folder / name).read_text(encoding="utf-8"))

    @property
    def manifest(self) -> dict:
        return self.load("manifest.json")  # type: ignore[return-value]

    def terms(self, text: str) -> list[str]:
        manifest = self.manifest
        folded = re.sub("[\u0300-\u036f]", "", unicodedata.normalize("NFKD", text.lower()))
        words = [w for w in _WORD.findall(folded)
                 if len(w) >= manifest["min_length"] and w not in manifest["stopwords"]]
        return list(dict.fromkeys(words))

    def postings(self, term: str) -> dict[int, tuple[int, bool]]:
        manifest = self.manifest
        found: dict[int, tuple[int, bool]] = {}
        for key, name in manifest["shards"].items():
            if not (key.startswith(term) or term.startswith(key)):
                continue
            shard = self.load(f"terms/{name}.json")
            for word, (gaps, special) in shard.items():  # type: ignore[union-attr]
                if not word.startswith(term):
                    continue
                bits = dict(zip(special[::2], special[1::2], strict=True))
                doc_id = 0
                for gap in gaps:
                    doc_id += gap
                    old = found.get(doc_id, (0, False))
                    found[doc_id] = (old[0] | bits.get(doc_id, 1), old[1] or word == term)
        return found

    def search(self, query: str) -> dict[str, list[list]]:
        """kind name ('articles', 'actors', ...) -> matching documents, best first."""
        manifest = self.manifest
        maps = [self.postings(term) for term in self.terms(query)]
        if not maps:
            return {}
        smallest = min(maps, key=len)
        scored = []
        for doc_id in smallest:
            hits = [m.get(doc_id) for m in maps]
            if any(hit is None for hit in hits):
                continue
            score = sum(math.log(1 + manifest["doc_count"] / len(m)) * (1 if hit[1] else 0.6)
                        * sum(weight for bit, weight in manifest["field_weights"] if hit[0] & bit)
                        for m, hit in zip(maps, hits, strict=True) if hit)
            scored.append((-score, doc_id))
        results: dict[str, list[list]] = {}
        for _, doc_id in sorted(scored):
            kind = next(r[0] for r in manifest["ranges"] if r[1] <= doc_id < r[1] + r[2])
            chunk = self.load(f"docs/{doc_id // manifest['chunk_size']}.json")
            results.setdefault(manifest["kinds"][kind][0], []).append(
                chunk[doc_id % manifest["chunk_size"]])  # type: ignore[index]
        return results


def titles(results: dict[str, list[list]], kind: str) -> list[str]:
    return [doc[2] for doc in results.get(kind, [])]
