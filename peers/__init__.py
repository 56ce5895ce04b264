"""
The peers: what a student could reach for instead of the homework's models, run on the
homework's own splits for the comparison tables (``python -m benchmarks.peers``).

``registry``      one ``Row`` per peer: its part, library, label, settings and fit function
``scoring``       the scorer every implicit peer returns, the clipped RMSE, the two MRRs
``models``        peers written here: sequential rules, V-SKNN, SASRec
``adapters``      peers from other libraries: Surprise, cornac, myFM, RecBole, the official GRU4Rec
``tuning``        the tuned peers' search spaces (data) and their optuna search
``report``        the schema of ``results/peers.json``, its Markdown, and the comparison with
                  this project's rows

The libraries come with the ``peers`` extra (``pip install -e .[peers]``); pinned in
``benchmarks/requirements-peers.txt`` (``bash benchmarks/peers.sh`` builds that environment).
Every fit function takes the training data and a seed, never a test set: explicit peers
``fit(train, seed) -> (predict, seconds, extra)``, implicit peers
``fit(train, seed, options) -> (SequenceScorer, seconds, extra)``; the runner scores the
test set afterwards.
"""
