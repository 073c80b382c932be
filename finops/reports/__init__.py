"""Reports: chargeback CSV with shared-cost allocation, FOCUS export, the weekly cost review."""
