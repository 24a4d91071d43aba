"""``apimig report``: where a project stands on its migration, as data (model) and as a page (html)."""
