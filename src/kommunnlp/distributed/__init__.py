"""Running kommunnlp on distributed engines (optional extras).

- :mod:`kommunnlp.distributed.ray`: Ray Data (``pip install 'kommunnlp[ray]'``):
  ``extract_dataset`` for any ``ray.data.Dataset`` of texts, and ``convert_archive``, the
  engine behind ``kommunnlp convert --engine ray``.

Importing this package imports no engine; each engine module imports its own library.
"""
