"""The catalogue: items (films and photographs), collections, people and themes."""
