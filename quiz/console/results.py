"""Console: results."""
