"""Training curves of the notebooks' models."""

import matplotlib.pyplot as plt
import numpy as np


def plot_training(histories, baseline_mrr=None, baseline_label='spotlight pooling (test)'):
    """
    Training loss and validation MRR per epoch, one line per network.

    Parameters
    ----------
    histories: dict
        ``{name: {'loss': [...], 'valid_mrr': [...]}}`` (``train_next_item_model``'s histories).
    baseline_mrr: float, optional
        Drawn as a dotted horizontal line on the MRR panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (loss_ax, mrr_ax) = plt.subplots(1, 2, figsize=(10, 3.5))
    for name, history in histories.items():
        epochs = np.arange(1, len(history['loss']) + 1)
        loss_ax.plot(epochs, history['loss'], marker='o', label=name)
        mrr_ax.plot(epochs, history['valid_mrr'], marker='o', label=name)
    if baseline_mrr is not None:
        mrr_ax.axhline(baseline_mrr, color='gray', linestyle=':', label=baseline_label)
    loss_ax.set(xlabel='epoch', ylabel='training cross-entropy', title='Training loss')
    mrr_ax.set(xlabel='epoch', ylabel='MRR', title='Validation MRR')
    loss_ax.legend()
    mrr_ax.legend()
    return fig
