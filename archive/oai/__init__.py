"""OAI-PMH 2.0: the public catalogue for harvesters (library portals, aggregators), in Dublin Core."""
