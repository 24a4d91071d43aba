"""DPO on a LoRA adapter: chosen = migrated code, rejected = old code (Rafailov et al. 2023)."""
