"""finops: self-hosted FinOps for AI agents."""

__version__ = "0.1.0"
