"""LoRA adapters trained on ``prompt -> target_new`` (Hu et al. 2021), standard or layer-selected."""
