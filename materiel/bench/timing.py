"""Repeated measurements: warm-up runs first, then the median and 95th percentile of the rest."""

import statistics
import time
from dataclasses import asdict, dataclass, field


@dataclass
class Measure:
    median: float  # milliseconds
    p95: float
    runs: int
    samples: list[float] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("samples")
        return data


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation: with few runs it names a run that happened)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def measure(fn, *, repeat: int, warmup: int = 2) -> Measure:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Measure(round(statistics.median(samples), 2), round(percentile(samples, 0.95), 2), repeat, samples)
