"""Cost functions, one per resource type, registered with :func:`engine.costing.registry.priced`.

Component names follow Infracost's ("Instance usage (Linux/UNIX, on-demand, t3.micro)",
"Storage (general purpose SSD, gp3)", ...), so estimates read the same way.
"""
