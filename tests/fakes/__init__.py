"""Local fake servers that speak the Hugging Face wire protocols (see docs/protocols/)."""
