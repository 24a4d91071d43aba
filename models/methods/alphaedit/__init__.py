"""AlphaEdit: null-space constrained sequential editing (Fang et al., ICLR 2025, https://arxiv.org/abs/2410.02355)."""
