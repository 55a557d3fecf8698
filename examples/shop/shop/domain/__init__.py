"""The shop's domain model: plain Python, no ORM (see shop.adapters.orm for the mapping)."""
