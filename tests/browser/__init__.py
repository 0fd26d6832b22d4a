"""Browser tests: generated pages opened in headless Chromium."""
