"""``Network``: the seed's ``network.py`` contract, written independently.

Shapes (Nielsen's conventions, see ``nnviz.engine.functions``): ``weights[l-1]`` is w^l with
shape (sizes[l], sizes[l-1]); ``biases[l-1]`` is b^l with shape (sizes[l], 1).  An input
``x`` has shape (sizes[0], 1); a target ``y`` has shape (sizes[-1], 1).

One code path: ``backprop`` and ``nnviz.trace_backprop`` both run
``nnviz.engine.passes.forward_backward``; the trace only listens to the operations it
reports through ``emit``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from nnviz.engine.functions import Activation, Cost, get_activation, get_cost
from nnviz.engine.passes import forward, forward_backward

Array = np.ndarray


def check_sizes(sizes: Sequence[int]) -> list[int]:
    """Return ``sizes`` as a list of ints, or raise ValueError saying what is wrong."""
    try:
        out = [int(s) for s in sizes]
    except (TypeError, ValueError):
        raise ValueError(f"sizes must be a list of positive whole numbers; got {sizes!r}.") from None
    if len(out) < 2:
        raise ValueError(f"sizes needs at least two layers (input and output); got {out}.")
    if any(s != t for s, t in zip(out, sizes)) or any(s < 1 for s in out):
        raise ValueError(f"Every layer size must be a whole number of at least 1; got {list(sizes)}.")
    return out


def check_array(value, shape: tuple[int, ...], what: str) -> Array:
    """``value`` as a float array of ``shape``; ValueError on a wrong shape or NaN/inf."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers with shape {shape}.") from None
    if arr.shape != shape:
        raise ValueError(f"{what} must have shape {shape}; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} contains NaN or infinity; every entry must be a finite number.")
    return arr


class Network:
    """A fully connected feed-forward network, the seed's ``Network`` contract.

    ``Network(sizes, seed=None, activation="sigmoid", cost="quadratic")``.  Parameters
    are drawn from a standard normal by ``numpy.random.default_rng(seed)``: the same
    seed gives the same network, and no global random state is touched.
    ``weights`` and ``biases`` are plain lists the user may assign.
    """

    def __init__(self, sizes: Sequence[int], seed: int | None = None,
                 activation: str | Activation = "sigmoid", cost: str | Cost = "quadratic"):
        self.sizes = check_sizes(sizes)
        self.num_layers = len(self.sizes)
        self.activation = get_activation(activation)
        self.cost = get_cost(cost)
        if self.cost.name == "cross_entropy" and self.activation.name != "sigmoid":
            raise ValueError(
                "The cross-entropy cost needs sigmoid outputs (activations between 0 and 1); "
                f"choose activation='sigmoid' or cost='quadratic', not {self.activation.name!r}."
            )
        self.rng = np.random.default_rng(seed)
        self.biases = [self.rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        self.weights = [self.rng.standard_normal((n, k))
                        for k, n in zip(self.sizes[:-1], self.sizes[1:])]

    def __repr__(self) -> str:
        return (f"Network(sizes={self.sizes}, activation={self.activation.name!r}, "
                f"cost={self.cost.name!r})")

    # ---- validation -------------------------------------------------------------
    def check_parameters(self) -> None:
        """Raise ValueError unless every w^l and b^l has its shape and finite entries."""
        if len(self.weights) != self.num_layers - 1 or len(self.biases) != self.num_layers - 1:
            raise ValueError(
                f"A network with sizes {self.sizes} needs {self.num_layers - 1} weight matrices "
                f"and bias vectors; got {len(self.weights)} and {len(self.biases)}."
            )
        for l, (k, n) in enumerate(zip(self.sizes[:-1], self.sizes[1:]), start=1):
            self.weights[l - 1] = check_array(self.weights[l - 1], (n, k), f"weights[{l - 1}] (w^{l})")
            self.biases[l - 1] = check_array(self.biases[l - 1], (n, 1), f"biases[{l - 1}] (b^{l})")

    def check_example(self, x, y) -> tuple[Array, Array]:
        """``x`` and ``y`` as column vectors of the right length, or a clear ValueError."""
        x = check_array(x, (self.sizes[0], 1), "x (the input)")
        y = check_array(y, (self.sizes[-1], 1), "y (the target)")
        return x, y

    def _stack(self, mini_batch, check_finite: bool = True) -> tuple[Array, Array]:
        """The examples as columns: ``(x, y)`` of shapes (sizes[0], m) and (sizes[-1], m).

        Built from rows, so each example's column is contiguous in memory (a mini-batch
        drawn by column indices is then a cheap gather).  Shapes (and, if
        ``check_finite``, finiteness) are checked for the whole batch at once; the
        per-example check runs only to word the error.
        """
        pairs = mini_batch if isinstance(mini_batch, list) else list(mini_batch)
        if not pairs:
            raise ValueError("The mini-batch is empty; it needs at least one (x, y) pair.")
        m = len(pairs)
        try:  # one copy each; ragged or non-numeric input falls through to the precise check
            x_rows = np.array([x for x, _ in pairs], dtype=float)
            y_rows = np.array([y for _, y in pairs], dtype=float)
            ok = (x_rows.shape == (m, self.sizes[0], 1) and y_rows.shape == (m, self.sizes[-1], 1)
                  and (not check_finite or bool(np.isfinite(x_rows).all() and np.isfinite(y_rows).all())))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            self._explain_batch(pairs)
        return x_rows[:, :, 0].T, y_rows[:, :, 0].T

    def _explain_batch(self, pairs) -> None:
        """Raise the precise message for the first bad example."""
        for x, y in pairs:
            self.check_example(x, y)
        raise ValueError("The mini-batch must be a list of (x, y) pairs of column vectors.")

    def _parameters_are_arrays(self) -> bool:
        """The cheap part of ``check_parameters``: counts, types and shapes (no finiteness)."""
        if len(self.weights) != self.num_layers - 1 or len(self.biases) != self.num_layers - 1:
            return False
        return all(type(w) is np.ndarray and w.dtype == np.float64 and w.shape == (n, k)
                   and type(b) is np.ndarray and b.dtype == np.float64 and b.shape == (n, 1)
                   for w, b, k, n in zip(self.weights, self.biases, self.sizes[:-1], self.sizes[1:]))

    # ---- the seed's methods -------------------------------------------------------
    def feedforward(self, a) -> Array:
        """The output a^L for input ``a`` of shape (sizes[0], m)."""
        return self._output(a)[1]

    def _output(self, a) -> tuple[Array, Array]:
        """(z^L, a^L) for input ``a`` of shape (sizes[0], m), after checking both."""
        self.check_parameters()
        a = np.asarray(a, dtype=float)
        if a.ndim != 2 or a.shape[0] != self.sizes[0]:
            raise ValueError(f"The input must have shape ({self.sizes[0]}, 1); got shape {a.shape}.")
        activations, zs = forward(self.weights, self.biases, self.activation, a)
        return zs[-1], activations[-1]

    def backprop(self, x, y) -> tuple[list[Array], list[Array]]:
        """``(nabla_b, nabla_w)``: the gradient of the cost for one example, layer by layer."""
        self.check_parameters()
        x, y = self.check_example(x, y)
        nabla_b, nabla_w, _, _ = forward_backward(self.weights, self.biases, self.activation,
                                                  self.cost, x, y)
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations, y) -> Array:
        """dC/da^L for the network's cost (a - y for the quadratic cost, as in the seed)."""
        return self.cost.derivative(output_activations, y)

    def update_mini_batch(self, mini_batch, eta: float) -> None:
        """One gradient-descent step w <- w - (eta/m) * sum of nabla_w over the batch.

        The m examples go through the network together, as the columns of one matrix.
        Every parameter and example is checked, at almost no cost: a NaN or infinity in
        any w^l, b^l or x makes some z^l non-finite (inf·0 and NaN·anything are NaN), so
        the full check runs only when a z^l (or y) is not finite, to word the error; a
        batch that fails changes nothing.
        """
        if not self._parameters_are_arrays():
            self.check_parameters()  # converts lists, or raises the precise message
        x, y = self._stack(mini_batch, check_finite=False)
        m = x.shape[1]
        nabla_b, nabla_w, _, zs = forward_backward(self.weights, self.biases, self.activation,
                                                   self.cost, x, y)
        if not (all(np.isfinite(z).all() for z in zs) and np.isfinite(y).all()):
            self.check_parameters()
            self._stack(mini_batch)  # each raises the precise message for what is not finite
        self._step(nabla_b, nabla_w, eta / m)

    def _step(self, nabla_b: list, nabla_w: list, rate: float) -> None:
        """w <- w - rate·nabla_w (and b), written into nabla_w's fresh buffers: new arrays,
        as the seed makes, without temporaries (the same floating-point result)."""
        step = -rate
        self.weights = [np.add(w, np.multiply(nw, step, out=nw), out=nw)
                        for w, nw in zip(self.weights, nabla_w)]
        self.biases = [np.add(b, np.multiply(nb, step, out=nb), out=nb)
                       for b, nb in zip(self.biases, nabla_b)]

    def SGD(self, training_data, epochs: int, mini_batch_size: int, eta: float,
            test_data=None, rng: np.random.Generator | None = None,
            callback: Callable[[dict], object] | None = None) -> list[dict]:
        """Mini-batch stochastic gradient descent, as the seed's ``SGD``.

        Each epoch shuffles the training data with ``rng`` (default: the network's own
        generator) and applies ``update_mini_batch`` to consecutive slices.  Returns the
        history: one dict per epoch with ``epoch``, ``cost`` and ``accuracy``: the mean cost
        and fraction correct over the epoch's training examples, each measured in the
        forward pass of its own mini-batch (before that batch's update, as training loops
        usually report it; the outputs z^L are kept and scored once per epoch);
        ``accuracy`` is on ``test_data`` if given.  ``callback(entry)`` is called after
        each epoch; if it returns False, training stops.  Parameters are checked once per
        epoch; the loop only writes finite numbers into them unless an example holds NaN
        or inf or an update overflows: either is caught at the epoch's end, the epoch
        undone, and a ValueError raised naming the bad example or the divergence.
        """
        if int(epochs) != epochs or epochs < 1:
            raise ValueError(f"epochs must be a whole number of at least 1; got {epochs!r}.")
        if int(mini_batch_size) != mini_batch_size or mini_batch_size < 1:
            raise ValueError(f"mini_batch_size must be a whole number of at least 1; got {mini_batch_size!r}.")
        if not np.isfinite(eta):
            raise ValueError(f"eta must be a finite number; got {eta!r}.")
        rng = rng if rng is not None else self.rng
        training_data = training_data if isinstance(training_data, list) else list(training_data)
        x_all, y_all = self._stack(training_data, check_finite=False)  # NaN/inf: see below
        test = list(test_data) if test_data is not None else None
        n, mbs = x_all.shape[1], int(mini_batch_size)
        history = []
        x_rows, y_rows = x_all.T, y_all.T  # one example per row, contiguous
        act, cost_fn = self.activation, self.cost
        z_out = np.empty((self.sizes[-1], n))  # z^L of every example, in this epoch's order
        for j in range(int(epochs)):
            self.check_parameters()
            start = (self.weights, self.biases)
            order = rng.permutation(n)
            for k in range(0, n, mbs):
                rows = order[k:k + mbs]
                x, y = x_rows[rows].T, y_rows[rows].T
                nabla_b, nabla_w, _, zs = forward_backward(self.weights, self.biases, act, cost_fn, x, y)
                z_out[:, k:k + mbs] = zs[-1]
                self._step(nabla_b, nabla_w, eta / x.shape[1])
            y_seen = y_rows[order].T
            a_out = act.fn(z_out)
            cost = cost_fn.fn_z(z_out, a_out, y_seen, act)
            if not (np.isfinite(cost) and all(np.isfinite(p).all() for p in self.weights + self.biases)):
                self.weights, self.biases = start
                self._stack(training_data)  # a NaN or inf in the data: its precise message
                raise ValueError(f"Training diverged in epoch {j + 1}: the cost or the parameters stopped "
                                 "being finite numbers. The network is as it was before that epoch; "
                                 "lower the learning rate eta.")
            entry = {"epoch": j + 1, "cost": cost / n,
                     "accuracy": self.accuracy(test) if test else self._accuracy_outputs(a_out, y_seen, act.midpoint)}
            history.append(entry)
            if callback is not None and callback(entry) is False:
                break
        self.history = getattr(self, "history", []) + history
        return history

    def evaluate(self, test_data) -> int:
        """Number of test inputs whose largest output is the label y (the seed's rule)."""
        return sum(int(np.argmax(self.feedforward(x)) == y) for x, y in test_data)

    # ---- helpers beyond the seed ---------------------------------------------------
    def total_cost(self, x: Array, y: Array) -> float:
        """Mean cost over the columns of ``x`` (shape (sizes[0], m)) and ``y``."""
        z, a = self._output(x)
        return self.cost.fn_z(z, a, np.asarray(y, dtype=float), self.activation) / z.shape[1]

    def accuracy(self, data) -> float:
        """Fraction of (x, y) pairs classified correctly; see ``_accuracy_arrays``."""
        xs = np.hstack([np.asarray(x, dtype=float) for x, _ in data])
        ys = [np.asarray(y, dtype=float) for _, y in data]
        if all(y.size == self.sizes[-1] for y in ys):
            return self._accuracy_arrays(xs, np.hstack([y.reshape(-1, 1) for y in ys]))
        labels = np.array([float(y.reshape(-1)[0]) for y in ys])  # integer labels, as the seed's test data
        return float(np.mean(np.argmax(self.feedforward(xs), axis=0) == labels))

    def _accuracy_arrays(self, x: Array, y: Array) -> float:
        return self._accuracy_outputs(self.feedforward(x), y, self.activation.midpoint)

    @staticmethod
    def _accuracy_outputs(a: Array, y: Array, midpoint: float) -> float:
        """One output: correct when a and y fall on the same side of the activation's
        midpoint (0.5 for sigmoid, 0 for tanh: see ``Activation.targets``); several: argmax."""
        if a.shape[0] == 1:
            return float(np.mean((a >= midpoint) == (y >= midpoint)))
        return float(np.mean(np.argmax(a, axis=0) == np.argmax(y, axis=0)))

    def copy(self) -> "Network":
        """An independent copy (parameters copied, same activation and cost)."""
        new = Network.__new__(Network)
        new.sizes, new.num_layers = list(self.sizes), self.num_layers
        new.activation, new.cost = self.activation, self.cost
        new.rng = np.random.default_rng()
        new.weights = [np.array(w, dtype=float) for w in self.weights]
        new.biases = [np.array(b, dtype=float) for b in self.biases]
        return new
