"""Reports built from game summaries: class reports (and, later, portfolios)."""
