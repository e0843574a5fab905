"""How much of everything the demo data set holds at a scale, and the names and
words the benchmark looks for in it."""

from dataclasses import dataclass

DEMO_PASSWORD = "notesite-demo"  # noqa: S105 - a published demo password
HEAVY_USERNAME = "heavy"
MANAGER_USERNAME = "manager"
STAFF_USERNAME = "staffer"
# What the benchmark searches for (see the ``demo.seeding`` docstring).
COMMON_WORD = "deployment"
RARE_PHRASE = '"pager archaeology"'
RARE_WORDS = "pager archaeology"
RARE_SENTENCE = (
    f"The speaker called it {RARE_WORDS}: reading old alerts to find the ones nobody acts on."
)


@dataclass(frozen=True)
class Plan:
    scale: float
    events: int
    talks: int
    open_spaces: int
    notes: int
    takeaways: int
    action_points: int
    tags: int
    users: int
    speakers: int
    # The heavy user's open or in-progress follow-ups, and their finished ones.
    heavy_active: int
    heavy_finished: int

    PER_UNIT = {
        "events": (50, 3),
        "talks": (1000, 20),
        "open_spaces": (100, 4),
        "notes": (2000, 40),
        "takeaways": (2000, 40),
        "action_points": (2000, 40),
        "tags": (30, 20),
        "users": (50, 12),
        "speakers": (400, 10),
        "heavy_active": (4, 30),
        "heavy_finished": (8, 10),
    }

    @classmethod
    def for_scale(cls, scale: float) -> "Plan":
        """Counts proportional to ``scale`` (each at least its floor)."""
        if scale <= 0:
            raise ValueError("The scale must be positive.")
        counts = {
            name: max(floor, round(per_unit * scale))
            for name, (per_unit, floor) in cls.PER_UNIT.items()
        }
        return cls(scale=scale, **counts)
