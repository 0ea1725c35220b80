"""rag: offline Arabic/English news analysis with exactly cited answers."""

from rag.app import Rag
from rag.config import Settings
from rag.errors import ConfigError, RagError, SetupError, UserInputError
from rag.records import Article, Chunk, Citation, IngestReport, Passage, Rejection

__all__ = [
    "Rag",
    "Settings",
    "Article",
    "Chunk",
    "Citation",
    "IngestReport",
    "Passage",
    "Rejection",
    "RagError",
    "ConfigError",
    "SetupError",
    "UserInputError",
]
__version__ = "0.1.0"
