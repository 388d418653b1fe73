"""Local gradient ascent in the unit cube, several starts in lock-step.

Each start follows a bounded ascent path in the unit cube of its sub-space's
continuous dimensions (log-scaled where the dimension is): quasi-Newton
(BFGS) steps with a backtracking line search when a smooth objective and its
gradient are told through :meth:`GradientOptimizer.tell_gradients`, or
steps within a trust radius along the slopes and curvatures that probes of
the scores show (central differences in few dimensions, SPSA beyond)
otherwise. Discrete dimensions are held fixed along a path; new starts
explore them.

- ``_start``: the state of one path (a dataclass) and its phases (an Enum);
- ``_probes``: the probe points and the slopes they show;
- ``_steps``: the steps, their acceptance and the quasi-Newton updates;
- ``_optimizer``: :class:`GradientOptimizer`, which runs the starts.
"""

from ._optimizer import GradientOptimizer

__all__ = ["GradientOptimizer"]
