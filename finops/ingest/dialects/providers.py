"""Provider names normalised to the current OTel GenAI `gen_ai.provider.name` values.

Prices are looked up by provider, so every spelling of one provider must land on one value. The
well-known values of the current convention are kept; older `gen_ai.system` values, OpenInference's
`llm.provider`/`llm.system` and instrumentation-specific spellings are mapped onto them.

Decisions worth knowing:
- `gemini`, `google_genai` and a bare `google` mean the Gemini Developer API (AI Studio): the google-genai
  instrumentation reports `vertex_ai` explicitly when it talks to Vertex, so a bare Google name is the
  AI Studio backend. `gcp.gen_ai` (the convention's "Google, backend unknown") is kept as sent.
- `azure` alone (OpenInference's `llm.provider` for Azure OpenAI) means Azure OpenAI.
- `aws` alone (OpenInference's `llm.provider` for Bedrock) means Bedrock.
- Unknown values are lowercased and kept, so a new provider is visible rather than dropped.
"""

from __future__ import annotations

from finops.ingest.dialects.values import Attributes, first_text

PROVIDER_KEYS = ("gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system")

_ALIASES: dict[str, str] = {
    # Azure
    "az.ai.openai": "azure.ai.openai",
    "azure_openai": "azure.ai.openai",
    "azure": "azure.ai.openai",
    "azureopenai": "azure.ai.openai",
    "az.ai.inference": "azure.ai.inference",
    "azure_ai_inference": "azure.ai.inference",
    "azure.ai.inference": "azure.ai.inference",
    # Google
    "vertex_ai": "gcp.vertex_ai",
    "vertexai": "gcp.vertex_ai",
    "vertex": "gcp.vertex_ai",
    "google_vertex_ai": "gcp.vertex_ai",
    "gemini": "gcp.gemini",
    "google_genai": "gcp.gemini",
    "google_generativeai": "gcp.gemini",
    "google": "gcp.gemini",
    "google_ai_studio": "gcp.gemini",
    # AWS
    "bedrock": "aws.bedrock",
    "aws_bedrock": "aws.bedrock",
    "amazon_bedrock": "aws.bedrock",
    "aws": "aws.bedrock",
    # Others
    "mistralai": "mistral_ai",
    "mistral": "mistral_ai",
    "xai": "x_ai",
    "grok": "x_ai",
    "ibm_watsonx": "ibm.watsonx.ai",
    "ibm_watsonx_ai": "ibm.watsonx.ai",
    "watsonx": "ibm.watsonx.ai",
    "watsonx.ai": "ibm.watsonx.ai",
    "ibm": "ibm.watsonx.ai",
    "moonshot": "moonshot_ai",
    "moonshotai": "moonshot_ai",
    "deepseek_ai": "deepseek",
    "perplexity_ai": "perplexity",
    "cohere_ai": "cohere",
}


def normalise_provider(value: str) -> str:
    label = value.strip().lower()
    # Spaces and hyphens vary between SDKs ("Azure OpenAI", "aws-bedrock"); dots are significant.
    key = label.replace(" ", "_").replace("-", "_")
    return _ALIASES.get(key, _ALIASES.get(label, label))


def read_provider(attributes: Attributes) -> tuple[str, str] | None:
    """(normalised provider, attribute key) from the first provider attribute present."""
    found = first_text(attributes, PROVIDER_KEYS)
    if found is None:
        return None
    value, key = found
    return normalise_provider(value), key
