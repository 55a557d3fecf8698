"""A small fictional web shop: one Django storefront, one SQLAlchemy/FastAPI back office."""
