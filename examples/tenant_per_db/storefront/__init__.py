"""A storefront where every merchant (tenant) has a database of its own."""
