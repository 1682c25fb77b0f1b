"""The knowledge base: policy documents parsed into validated, structured measures."""
