"""Steps `timetrack demo` runs after the recorded week: one module per capability."""
