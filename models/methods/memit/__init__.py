"""MEMIT: many edits at once, spread over several MLP layers (Meng et al. 2023, https://memit.baulab.info/)."""
