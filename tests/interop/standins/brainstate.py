"""Stand-in for the parts of brainstate that braintools' checkpoint module touches when it saves.

braintools registers ``brainstate.State`` (saved as its ``value``), unfolds ``brainstate.util.FlattedDict``
(a dict keyed by path tuples, what ``Module.states()`` returns) into nested dicts, and names
``brainstate.typing.PyTree`` in its signatures.
"""

import types
import typing as _typing


class State:
    """A mutable holder of one value (an array); braintools saves ``value``."""

    def __init__(self, value):
        self.value = value


class ParamState(State):
    """A trainable State."""


class FlattedDict(dict):
    """A dict keyed by path tuples, e.g. ``{('weight',): State}``."""

    def to_nest(self):
        nested = {}
        for path, value in self.items():
            node = nested
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        return nested


class Module:
    """brainstate.nn.Module: ``states()`` gathers the States of its attributes, in the order they were set."""

    def states(self):
        return FlattedDict({(name,): value for name, value in vars(self).items() if isinstance(value, State)})


util = types.SimpleNamespace(FlattedDict=FlattedDict)
typing = types.SimpleNamespace(PyTree=_typing.Any)
nn = types.SimpleNamespace(Module=Module)
