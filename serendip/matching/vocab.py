"""Tags and words as the engine sees them: normalised tags grouped into concepts (spelling variants
such as "java script" / "JavaScript" are one concept), text tokenisation, and tag relatedness learned
from the network itself (co-occurrence -> PPMI -> truncated SVD, plus character n-grams and acronyms)."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from serendip.tags import TagError, normalise_tag

# A profile with thousands of tags is a data error or an attempt to match everyone; keeping the
# strongest few hundred preserves what the member stressed and bounds the index.
MAX_PROFILE_TAGS = 200
_SQUASH = re.compile(r"[\s\-_.]+")
_WORD = re.compile(r"\w[\w+#]*(?:[.\-]\w[\w+#]*)*[+#]*")

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "get",
        "getting",
        "got",
        "use",
        "using",
        "used",
        "make",
        "one",
        "two",
        "way",
        "ways",
        "much",
        "many",
        "also",
        "need",
        "needs",
        "want",
        "anyone",
        "someone",
        "something",
        "thing",
        "things",
        "vs",
        "best",
        "good",
        "better",
        "possible",
        "does",
        "difference",
        "different",
        "between",
        "why",
    ]
)


def squash(tag: str) -> str:
    """The concept key of a normalised tag: separators removed, so "java script", "java-script" and
    "javascript" are one concept. Falls back to the tag itself when it is all separators."""
    key = _SQUASH.sub("", tag)
    return key or tag


def clean_tags(
    raw: Mapping[str, float] | Iterable[str] | None, *, limit: int = MAX_PROFILE_TAGS
) -> dict[str, float]:
    """Normalise a tag -> weight mapping (or a list of tags, weight 1) into concept -> weight.

    Tags that fail normalisation and weights that are not positive finite numbers are dropped
    silently (profiles come from user input); duplicates after normalisation add up.
    """
    if raw is None:
        return {}
    items: Iterable[tuple[object, object]]
    if isinstance(raw, str):
        items = [(raw, 1.0)]
    elif isinstance(raw, Mapping):
        items = raw.items()
    else:
        items = ((t, 1.0) for t in raw)
    out: dict[str, float] = {}
    for tag, weight in items:
        norm = normalised(tag)
        if norm is None:
            continue
        try:
            w = float(weight)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if not math.isfinite(w) or w <= 0:
            continue
        out[norm[0]] = out.get(norm[0], 0.0) + w
    if len(out) > limit:
        out = dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])
    return out


def display_names(raw: Mapping[str, float] | Iterable[str] | None) -> dict[str, str]:
    """concept key -> the normalised tag as this member wrote it (first spelling wins)."""
    if raw is None:
        return {}
    tags = [raw] if isinstance(raw, str) else list(raw.keys() if isinstance(raw, Mapping) else raw)
    out: dict[str, str] = {}
    for tag in tags:
        norm = normalised(tag)
        if norm is not None:
            out.setdefault(*norm)
    return out


def normalised(tag: object) -> tuple[str, str] | None:
    """(concept key, normalised tag), or None for a tag that fails normalisation."""
    if not isinstance(tag, str):
        return None
    return _normalised(tag)


@functools.lru_cache(maxsize=200_000)
def _normalised(tag: str) -> tuple[str, str] | None:
    # Networks reuse a few thousand tags across tens of thousands of profiles: normalise each once.
    try:
        norm = normalise_tag(tag)
    except TagError:
        return None
    return squash(norm), norm


def tokens(text: str | None) -> list[str]:
    """Lower-cased word tokens of free text, keeping "c++", "c#", "node.js" whole."""
    if not text:
        return []
    text = normalise_text(text)
    return [t.strip(".-") for t in _WORD.findall(text) if t.strip(".-")]


def normalise_text(text: str) -> str:
    """The same folding as tags (NFKC, case-folded) without the length limit; long texts are cut
    because a question title or an "about" beyond a few thousand characters adds nothing."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(text)[:5000]).casefold())


def content_words(text: str | None) -> list[str]:
    """Tokens worth matching on: stop words and single characters dropped, plurals folded."""
    out = []
    for tok in tokens(text):
        if tok in STOPWORDS or (len(tok) < 2 and not tok.isdigit()):
            continue
        out.append(stem(tok))
    return out


def stem(word: str) -> str:
    # A deliberately tiny plural folder: "beers"/"beer", "queries"/"query"; real stemming would
    # also merge unrelated words, and titles are short.
    if not word.isalpha():
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def phrase_keys(text: str | None, max_n: int = 3) -> list[tuple[str, str]]:
    """(concept key, phrase) for every 1..max_n-word phrase of the text, longest first, so a
    question's words can be looked up in the tag vocabulary ("cold brew" -> "cold-brew")."""
    toks = tokens(text)
    out: list[tuple[str, str]] = []
    for n in range(max_n, 0, -1):
        for i in range(len(toks) - n + 1):
            gram = toks[i : i + n]
            if n == 1 and (gram[0] in STOPWORDS or len(gram[0]) < 2):
                continue
            if gram[0] in STOPWORDS or gram[-1] in STOPWORDS:
                continue
            phrase = " ".join(gram)
            out.append((squash(phrase), phrase))
            if n == 1 and stem(gram[0]) != gram[0]:
                out.append((squash(stem(gram[0])), phrase))
    return out


@dataclass
class Relatedness:
    """Frozen tag-relatedness model: concept key -> [(related concept key, similarity in (0, 1))].

    Learned at build time and kept until the next build, so incremental updates stay cheap and a
    member's scores never shift because somebody else edited their profile.
    """

    neighbours: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    def similar(self, key: str) -> list[tuple[str, float]]:
        return self.neighbours.get(key, [])


def build_relatedness(
    docs: Iterable[Iterable[str]],
    names: Mapping[str, str],
    *,
    dim: int = 64,
    top: int = 10,
    max_vocab: int = 10_000,
    svd_min: float = 0.35,
    ngram_min: float = 0.55,
) -> Relatedness:
    """Learn relatedness from concept sets (one per profile or question) and concept display names."""
    doc_sets = [sorted(set(d)) for d in docs]
    df = Counter(k for d in doc_sets for k in d)
    vocab = sorted(df, key=lambda k: (-df[k], k))[:max_vocab]
    found: dict[str, dict[str, float]] = {k: {} for k in vocab}

    def add(a: str, b: str, s: float) -> None:
        if a != b and s > found[a].get(b, 0.0):
            found[a][b] = s

    for a, b, s in _cooccurrence_pairs(doc_sets, df, dim=dim, top=top, min_sim=svd_min):
        add(a, b, s)
    for a, b, s in _ngram_pairs(vocab, names, top=top, min_sim=ngram_min):
        add(a, b, s)
    for a, b, s in _acronym_pairs(vocab, names):
        add(a, b, s)
        add(b, a, s)
    neighbours = {
        k: sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))[:top] for k, v in sorted(found.items()) if v
    }
    return Relatedness(neighbours=neighbours)


def _top_pairs(x, keys: list[str], *, top: int, min_sim: float, scale: float = 1.0):
    """Nearest neighbours by cosine of row-normalised vectors (dense or sparse), in row chunks so a
    10k-tag vocabulary never needs a 10k x 10k matrix at once."""
    n = x.shape[0]
    chunk = 2048
    for start in range(0, n, chunk):
        sims = x[start : start + chunk] @ x.T
        sims = sims.toarray() if sp.issparse(sims) else np.asarray(sims)
        for r in range(sims.shape[0]):
            i = start + r
            row = sims[r]
            row[i] = -1.0
            cand = np.argpartition(-row, top)[: top + 1] if n > top + 1 else np.arange(n)
            for j in cand:
                s = float(row[j])
                if s >= min_sim:
                    yield keys[i], keys[int(j)], round(min(1.0, s) * scale, 6)


def _cooccurrence_pairs(doc_sets: list[list[str]], df: Counter, *, dim: int, top: int, min_sim: float):
    keys = sorted((k for k, c in df.items() if c >= 2), key=lambda k: (-df[k], k))[:10_000]
    if len(keys) < 2:
        return
    index = {k: i for i, k in enumerate(keys)}
    rows, cols = [], []
    r = 0
    for d in doc_sets:
        ids = [index[k] for k in d if k in index]
        if len(ids) < 2:
            continue
        rows.extend([r] * len(ids))
        cols.extend(ids)
        r += 1
    if r == 0:
        return
    b = sp.csr_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(r, len(keys)))
    c = (b.T @ b).tocoo()
    mask = c.row != c.col
    ci, cj, cv = c.row[mask], c.col[mask], c.data[mask]
    if cv.size == 0:
        return
    total = cv.sum()
    row_sum = np.bincount(ci, weights=cv, minlength=len(keys))
    ctx = np.bincount(cj, weights=cv, minlength=len(keys)) ** 0.75  # context smoothing (Levy et al.)
    ctx_p = ctx / ctx.sum()
    pmi = np.log((cv / total) / ((row_sum[ci] / total) * ctx_p[cj]))
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (ci[keep], cj[keep])), shape=(len(keys), len(keys)))
    # A self-context (each tag's row gets its own strongest PPMI on the diagonal) makes tags that
    # co-occur directly similar, not only tags that share neighbours ("ml" <-> "deep learning"
    # when they always appear together and nowhere else).
    diag = np.asarray(ppmi.max(axis=1).toarray()).ravel()
    ppmi = (ppmi + sp.diags(diag)).tocsr()
    if len(keys) <= dim + 1:
        emb = ppmi.toarray()
    else:
        from sklearn.utils.extmath import randomized_svd

        u, s, _ = randomized_svd(ppmi, n_components=dim, n_iter=4, random_state=0)
        emb = u * np.sqrt(s)
    norms = np.linalg.norm(emb, axis=1, keepdims=True)
    emb = (emb / np.where(norms > 0, norms, 1.0)).astype(np.float32)
    yield from _top_pairs(emb, keys, top=top, min_sim=min_sim)


def _ngram_pairs(vocab: list[str], names: Mapping[str, str], *, top: int, min_sim: float):
    if len(vocab) < 2:
        return
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [re.sub(r"[\-_.]", " ", names.get(k, k)) for k in vocab]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), dtype=np.float32)
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # every name shorter than the n-grams
        return
    # Spelling variants are weaker evidence of relatedness than the network's own co-occurrence.
    yield from _top_pairs(x, vocab, top=top, min_sim=min_sim, scale=0.8)


def _acronym_pairs(vocab: list[str], names: Mapping[str, str]):
    """ "ml" <-> "machine learning": a short tag equal to the initials of a multi-word tag."""
    present = set(vocab)
    for k in vocab:
        words = [w for w in re.split(r"[\s\-_.]+", names.get(k, k)) if w]
        if len(words) < 2:
            continue
        initials = "".join(w[0] for w in words)
        if initials in present and initials != k and initials.isalpha():
            yield initials, k, 0.9
