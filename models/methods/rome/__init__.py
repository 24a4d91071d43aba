"""ROME: rank-one model editing of one MLP (Meng et al. 2022, https://rome.baulab.info/)."""
