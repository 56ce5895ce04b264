"""Datasets: MovieLens, fetched and verified on first use."""
