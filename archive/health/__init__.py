"""Whether this node is alive and whether it can serve: the probes a load balancer or an orchestrator asks."""
