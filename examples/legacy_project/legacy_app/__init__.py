"""A small analytics app written in 2019 and never migrated."""
