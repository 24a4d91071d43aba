"""``apimig verify``: every rule proves itself by running its cases against real library releases."""
