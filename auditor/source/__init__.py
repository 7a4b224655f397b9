"""Source analysis: service and framework detection, JS/TS via tree-sitter, Python via ast."""
