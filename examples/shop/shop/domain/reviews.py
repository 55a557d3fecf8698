"""Product reviews.

CL303: `Review` is a Django model defined in the domain layer (its import of
`django.db` is CL301 as well). `Rating`, a plain dataclass next to it, is what
the domain should hold; the persistence layer maps it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Rating:
    stars: int

    def __post_init__(self) -> None:
        if not 1 <= self.stars <= 5:
            raise ValueError("a rating is 1 to 5 stars")


class Review(models.Model):
    sku = models.CharField(max_length=40)
    stars = models.PositiveSmallIntegerField()
    text = models.TextField()
