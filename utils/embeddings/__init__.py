"""Word embeddings for notebooks 06 and 07, one module per job; ``from utils import embeddings as emb`` gives
them all under one name (``emb.tokenize_play``, ``emb.cosine_similarities``, ``emb.export_embeddings``, ...):

* :mod:`utils.embeddings.text` — tokenise a play script, build a :class:`Vocabulary` (id 0 is :data:`PAD`);
* :mod:`utils.embeddings.similarity` — cosine similarity, top k, nearest words, analogies, word pairs, PCA;
* :mod:`utils.embeddings.export` — write vectors as TSV (TensorBoard's Projector) and JSON, and read them back.

The lesson of notebook 06 stays in the notebook: students write the skip-gram pair builder, the subsampling,
the negative sampler and the nearest-neighbour search themselves (their reference answers are in
:mod:`utils.reference.skipgram`, used only after each exercise), and the word2vec model is built there too.
These modules hold the plumbing around the lesson. Everything is NumPy; nothing here imports TensorFlow.
"""
from utils.embeddings.export import export_embeddings, load_embeddings_json, load_embeddings_tsv
from utils.embeddings.similarity import (analogy, cosine_similarities, nearest_to_vector, normalize_rows,
                                         pair_similarities, pca_project, top_k)
from utils.embeddings.text import PAD, Vocabulary, build_vocabulary, is_speaker_line, tokenize, tokenize_play

__all__ = [
    "PAD", "Vocabulary", "analogy", "build_vocabulary", "cosine_similarities", "export_embeddings",
    "is_speaker_line", "load_embeddings_json", "load_embeddings_tsv", "nearest_to_vector", "normalize_rows",
    "pair_similarities", "pca_project", "tokenize", "tokenize_play", "top_k",
]
