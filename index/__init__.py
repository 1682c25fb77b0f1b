"""Retrieval: the embedding model, the FAISS + BM25 hybrid index, build, search, evaluation."""
