"""The Serendipity Machine: question routing and whom-to-meet ranking, in pure Python (numpy/scipy/
scikit-learn, no Django).

    engine = Engine.build(profiles)
    engine.route(tags=[...], text="...", k=10, exclude={asker})      -> list[Match]
    engine.rank_present(member, present=[...], k=10, focus={...})     -> list[Match]
    engine.update(profile); engine.remove(member_id); engine.learn([Feedback(...), ...])
"""

from .engine import Engine
from .types import FEEDBACK_KINDS, Feedback, Match, Profile, Reason

__all__ = ["FEEDBACK_KINDS", "Engine", "Feedback", "Match", "Profile", "Reason"]
