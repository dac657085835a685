"""The ``tfquote`` console client (``tfquote.client.cli:main``): packs a path, uploads it,
creates a job, waits, and prints a report, using the public HTTP API and nothing else."""
