"""Demo content for `make run`: a deterministic magazine of generated articles, issues and authors."""
