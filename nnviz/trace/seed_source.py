"""The seed's source, quoted for display, and the lookup of the lines each step runs.

The code panel shows Nielsen's ``network.py`` methods exactly as the seed notebook prints
them (a test compares this text with the notebook).  nnviz's own engine is written
independently in ``network.py``; each recorded operation names the seed expression it
corresponds to, and tests evaluate that expression on the step's inputs to prove the
highlighted line computes the value shown.
"""
from __future__ import annotations

BACKPROP = '''\
def backprop(self, x, y):
    nabla_b = [np.zeros(b.shape) for b in self.biases]
    nabla_w = [np.zeros(w.shape) for w in self.weights]
    # feedforward
    activation = x
    activations = [x] # list to store all the activations, layer by layer
    zs = [] # list to store all the z vectors, layer by layer
    for b, w in zip(self.biases, self.weights):
        z = np.dot(w, activation)+b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    # backward pass
    delta = self.cost_derivative(activations[-1], y) * \\
        sigmoid_prime(zs[-1])
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, self.num_layers):
        z = zs[-l]
        sp = sigmoid_prime(z)
        delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
    return (nabla_b, nabla_w)
'''

UPDATE_MINI_BATCH = '''\
def update_mini_batch(self, mini_batch, eta):
    nabla_b = [np.zeros(b.shape) for b in self.biases]
    nabla_w = [np.zeros(w.shape) for w in self.weights]
    for x, y in mini_batch:
        delta_nabla_b, delta_nabla_w = self.backprop(x, y)
        nabla_b = [nb+dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw+dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    self.weights = [w-(eta/len(mini_batch))*nw
                    for w, nw in zip(self.weights, nabla_w)]
    self.biases = [b-(eta/len(mini_batch))*nb
                   for b, nb in zip(self.biases, nabla_b)]
'''

SOURCES: dict[str, str] = {"backprop": BACKPROP, "update_mini_batch": UPDATE_MINI_BATCH}


def find_lines(source: str, fragments: tuple[str, ...]) -> tuple[int, ...]:
    """1-based line numbers in ``SOURCES[source]`` of the lines holding each fragment.

    Each fragment must occur on exactly one line, so a reference can never be ambiguous.
    """
    lines = SOURCES[source].splitlines()
    found = []
    for fragment in fragments:
        hits = [i + 1 for i, line in enumerate(lines) if fragment in line]
        if len(hits) != 1:
            raise ValueError(
                f"Seed fragment {fragment!r} occurs on {len(hits)} lines of {source}; "
                "it must identify exactly one line."
            )
        found.append(hits[0])
    return tuple(found)
