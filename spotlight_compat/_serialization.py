"""
Saving whole models with ``torch.save(model, path)`` and loading them with
``torch.load(path)`` under torch >= 2.6's default ``weights_only=True``.

The weights-only unpickler rebuilds only allow-listed classes. Each module of
this package that defines a model, network or layer registers its classes with
``torch.serialization.add_safe_globals`` when imported, together with the torch
modules and optimizers they hold. The models also pickle their two non-torch
members in torch-native form: the numpy random state as a tensor plus numbers,
and the optimizer as its class and ``state_dict``, rebuilt on load. So a file
saved from a model loads wherever the model's module has been imported, without
``weights_only=False``.
"""

import inspect

import numpy as np
import torch

#: torch classes a model may hold: the layers of this package's networks and the optimizers.
TORCH_CLASSES = (torch.nn.Embedding, torch.nn.EmbeddingBag, torch.nn.LSTM, torch.nn.Linear,
                 torch.nn.Conv1d, torch.nn.ModuleList, torch.nn.ParameterList,
                 torch.nn.Sequential, torch.nn.Dropout, torch.nn.ReLU, torch.nn.Tanh)


def _optimizer_classes():
    return tuple(value for value in vars(torch.optim).values()
                 if inspect.isclass(value) and issubclass(value, torch.optim.Optimizer))


def register(*classes):
    """
    Allow ``classes`` (and the torch classes models hold) in weights-only loading.

    Parameters
    ----------
    *classes: type
        Classes of this package, passed to ``torch.serialization.add_safe_globals``
        with ``TORCH_CLASSES`` and torch's optimizers.
    """
    torch.serialization.add_safe_globals([*TORCH_CLASSES, *_optimizer_classes(), *classes])


def _random_state_to_torch(random_state):
    name, keys, position, has_gauss, cached = random_state.get_state()
    return (name, torch.from_numpy(keys.astype(np.int64)), int(position), int(has_gauss),
            float(cached))


def _random_state_from_torch(state):
    name, keys, position, has_gauss, cached = state
    random_state = np.random.RandomState()
    random_state.set_state((name, keys.numpy().astype(np.uint32), position, has_gauss, cached))
    return random_state


def _rebuild_optimizer(kind, state, parameters):
    accepted = inspect.signature(kind.__init__).parameters
    settings = {key: value for key, value in state['param_groups'][0].items()
                if key != 'params' and key in accepted}
    optimizer = kind(parameters, **settings)
    optimizer.load_state_dict(state)
    return optimizer


class SerializableModel(object):
    """
    Mixin for the models: pickles ``_random_state`` and ``_optimizer`` in forms the
    weights-only unpickler accepts, and rebuilds them on load.
    """

    def __getstate__(self):
        state = dict(self.__dict__)
        state['_random_state'] = _random_state_to_torch(self._random_state)
        optimizer = state.pop('_optimizer', None)
        if optimizer is not None:
            state['_optimizer_saved'] = (type(optimizer), optimizer.state_dict())
        return state

    def __setstate__(self, state):
        state = dict(state)
        state['_random_state'] = _random_state_from_torch(state['_random_state'])
        saved = state.pop('_optimizer_saved', None)
        self.__dict__.update(state)
        if saved is not None:
            self._optimizer = _rebuild_optimizer(*saved, self._net.parameters())
