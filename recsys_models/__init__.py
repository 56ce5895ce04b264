"""
recsys_models: the models and the evaluation protocol beyond the homework.

Everything here is imported by the notebooks, the benchmarks and the tests; the homework
notebook itself holds only what the student writes.

=====================  ==========================================================
module                 contents
=====================  ==========================================================
``protocol``           validation splits (one seed rule), training windows,
                       user histories
``results``            ``Metrics`` (one run's test metrics), ``Timer``
``features``           MovieLens side information and "who rated what" features
``factorization``      a biased MF trained full batch with early stopping
``bayesian``           Bayesian MF and Macau MF (Gibbs sampling)
``autorec``            I-AutoRec (item autoencoder)
``networks``           next-item networks: GRU, CBOW, causal transformer
``training``           ``Recipe`` and the next-item networks' training
``item_item``          EASE and the sequential ridge
``neighbours``         nearest training contexts (a kNN-LM over a network's states)
``blends``             the rating blend and the next-item blend
``baselines``          constant (popularity) scores
``report``             the result files: best models, ours beside the peers
``plots``              training curves
=====================  ==========================================================
"""
