"""The Rasa project's Python code, in two environments that never import each other.

training_data.py runs in the app's environment (.venv, Python 3.11): it reads knowledge/
and writes Rasa's generated training data. components/ runs inside Rasa (.venv-rasa,
Python 3.10): it may import only Rasa, numpy, safetensors and tokenizers.
"""
