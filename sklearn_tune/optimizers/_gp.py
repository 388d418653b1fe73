"""A small Gaussian-process regressor, the surrogate of Bayesian optimisation.

Matern-5/2 kernel with one length scale per input dimension (ARD), an output
scale and a learned noise variance, on standardised targets. Hyperparameters
are the maximum a posteriori under log-normal priors, found by L-BFGS-B on
their logarithms with the analytic gradient of the log marginal likelihood,
and warm-started from the previous fit: successive fits of a Bayesian
optimisation differ by a point or a few, so a handful of iterations suffice.
Above `max_fit_samples` points the hyperparameters are fitted on a subset
(the best half and an even spread of the rest), which bounds the one cost
that grows as ``n**3`` per iteration; the posterior still conditions on
every point. When only new points arrive under the same hyperparameters,
the Cholesky factor is extended by a block instead of recomputed.

Pure numpy/scipy, all linear algebra through the Cholesky factor; the
predictions at many candidates multiply by its inverse, formed once per
factor (and grown by a block for a fantasy).
"""

import functools
import math

import numpy as np
from scipy.linalg import LinAlgError, lapack
from scipy.optimize import minimize
from threadpoolctl import ThreadpoolController

_LOG_2PI = math.log(2.0 * math.pi)

# Bounds of the hyperparameters, for inputs in the unit cube and standardised
# targets.
_LENGTH_SCALE_BOUNDS = (1e-2, 1e2)
_OUTPUT_SCALE_BOUNDS = (5e-2, 2e1)
_NOISE_BOUNDS = (1e-6, 2.0)

# Log-normal priors as (mean, standard deviation) of the logarithm. The
# length scale prior's median grows as the square root of the dimension, as
# the typical distance between points of the unit cube does, so that the
# prior correlation of random points does not vanish in higher dimensions.
# Its median, 0.25 * sqrt(d), was chosen on Branin and Hartmann-6 among
# 0.15 to 1.0 times sqrt(d) (longer priors underfit the sharp optima of
# Hartmann-6 and sent a one-dimension overfit on a wrong track). The noise
# prior, median 2.5e-3 of the variance of the scores, favours small noise
# (cross-validated scores on fixed folds are deterministic, if rugged) while
# its width leaves noisy scores to the data: against a median of 1.8e-2 it
# refined Branin and KernelRidge on diabetes further, and did as well on
# their noisy variants.
_LENGTH_SCALE_PRIOR = (0.25, 1.0)
_OUTPUT_SCALE_PRIOR = (0.0, 1.0)
_NOISE_PRIOR = (-6.0, 1.5)

# Added to the diagonal so the factorisation survives duplicated inputs.
_JITTER = 1e-8
_FANTASY_JITTER = 1e-6


@functools.cache
def _threadpool_controller():
    # Inspecting the loaded libraries costs milliseconds: once.
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS runs on one thread.

    The matrices of a Bayesian optimisation are a few hundred rows at most,
    and L-BFGS-B's vectors a few dozen: more threads only add their
    synchronisation. With OpenBLAS's default of one thread per core, on a
    2-core machine shared with other work, the asks at 40 to 60 evaluations
    in the 6-D space of benchmarks/bench_bayes_speed.py took a median 670 ms
    of wall time (130 ms of CPU) against 40 ms (8 ms of CPU) on one thread,
    most of it in L-BFGS-B's operations on vectors.
    """
    return _threadpool_controller().limit(limits=1, user_api="blas")


def _solve_lower(L, B):
    """``L^-1 B`` for a lower-triangular `L`.

    LAPACK's trtrs, which :func:`scipy.linalg.solve_triangular` calls with
    the same result after tens of microseconds of checks.
    """
    x, _ = lapack.dtrtrs(L, B, lower=1)
    return x


def _cholesky(K):
    """Lower Cholesky factor of `K`, zero above the diagonal (LAPACK potrf,
    as :func:`scipy.linalg.cholesky`); LinAlgError if `K` is not positive
    definite."""
    L, info = lapack.dpotrf(K, lower=1, clean=1)
    if info != 0:
        raise LinAlgError(f"not positive definite (LAPACK potrf info={info})")
    return L


def _triangular_inverse(L):
    """Inverse of a lower-triangular `L`, zero above the diagonal (LAPACK
    trtri)."""
    L_inv, _ = lapack.dtrtri(L, lower=1)
    return L_inv


def _cho_solve(L, b):
    """``K^-1 b`` from the lower Cholesky factor `L` of ``K`` (LAPACK potrs,
    as :func:`scipy.linalg.cho_solve`)."""
    x, _ = lapack.dpotrs(L, b, lower=1)
    return x


def best_and_spread(values, size):
    """Sorted indices of at most `size` of `values`: the ``size // 2``
    highest, and an even spread (in index order) of the others.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tune.optimizers._gp import best_and_spread
    >>> best_and_spread(np.array([5.0, 1.0, 2.0, 9.0, 3.0, 0.0]), 4).tolist()
    [0, 1, 3, 5]
    """
    n = len(values)
    if n <= size:
        return np.arange(n)
    n_best = size // 2
    order = np.argsort(-values, kind="stable")
    rest = np.sort(order[n_best:])
    spread = rest[np.linspace(0, len(rest) - 1, size - n_best).astype(int)]
    return np.sort(np.r_[order[:n_best], spread])


def _prior(n_features):
    """Means and standard deviations of the log-hyperparameters' priors."""
    median, scale = _LENGTH_SCALE_PRIOR
    length_loc = math.log(median * math.sqrt(max(n_features, 1)))
    loc = np.r_[
        np.full(n_features, length_loc), _OUTPUT_SCALE_PRIOR[0], _NOISE_PRIOR[0]
    ]
    scale = np.r_[np.full(n_features, scale), _OUTPUT_SCALE_PRIOR[1], _NOISE_PRIOR[1]]
    return loc, scale


def _matern52(r2, *, with_factor=False):
    """The unit-scale Matern-5/2 kernel of squared distances.

    With `with_factor`, also the factor ``g`` such that
    ``d k / d log(l_j) = g * delta_j**2 / l_j**2``, shared by every
    gradient of the kernel.
    """
    # In place: on the kernel matrices of an acquisition search the
    # temporaries, not the arithmetic, are most of the cost.
    s = np.multiply(r2, 5.0)
    np.sqrt(s, out=s)
    e = np.negative(s)
    np.exp(e, out=e)
    k = np.multiply(r2, 5.0 / 3.0)
    s += 1.0
    k += s
    k *= e
    if with_factor:
        s *= e
        s *= 5.0 / 3.0
        return k, s
    return k


class GaussianProcess:
    """Gaussian-process regression with a Matern-5/2 ARD kernel.

    The kernel is ``output_scale * matern52(r) + noise * I`` with
    ``r**2 = sum_j (x_j - x'_j)**2 / length_scale_j**2``, on targets
    standardised to zero mean and unit variance.

    Parameters
    ----------
    max_iter : int, default=50
        Iterations of L-BFGS-B per fit of the hyperparameters.
    max_fit_samples : int, default=300
        Most points the hyperparameters are fitted on: above it, the half
        with the highest targets and an evenly spaced selection (in the
        order of `X`) of the others.

    Attributes
    ----------
    length_scale_ : ndarray of shape (n_features,)
    output_scale_ : float
    noise_ : float
        Noise variance, in units of the variance of the targets.
    log_marginal_likelihood_ : float
        Log marginal likelihood of the standardised targets at the fitted
        hyperparameters (without the priors).
    fit_gain_ : float
        How much the last fit of the hyperparameters raised their log
        posterior above its starting point (the previous fit's optimum):
        near zero once the data have settled.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tune.optimizers._gp import GaussianProcess
    >>> X = np.linspace(0, 1, 12).reshape(-1, 1)
    >>> gp = GaussianProcess().fit(X, np.sin(6 * X[:, 0]))
    >>> mean, std = gp.predict(np.array([[0.5]]), return_std=True)
    >>> bool(abs(mean[0] - np.sin(3.0)) < 0.05), bool(std[0] < 0.05)
    (True, True)
    """

    def __init__(self, *, max_iter=50, max_fit_samples=300):
        self.max_iter = max_iter
        self.max_fit_samples = max_fit_samples

    def __getstate__(self):
        # What _scaled_train keeps is rebuilt on demand, so a checkpoint
        # holds what it held before that cache existed.
        state = self.__dict__.copy()
        state.pop("_scaled_train_", None)
        return state

    # ------------------------------------------------------------ fitting --

    def fit(self, X, y, *, optimize=True):
        """Fit to `X`, `y`; hyperparameters start from the previous fit's.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
        optimize : bool, default=True
            Fit the hyperparameters; otherwise keep the current ones (the
            priors' medians before any fit) and only condition on the data.

        Returns
        -------
        self : GaussianProcess
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).reshape(-1)
        n, d = X.shape
        self.y_mean_ = float(np.mean(y))
        std = float(np.std(y))
        self.y_std_ = std if std > 1e-12 * max(1.0, abs(self.y_mean_)) else 1.0
        z = (y - self.y_mean_) / self.y_std_

        theta = getattr(self, "theta_", None)
        if theta is None or len(theta) != d + 2:
            theta = _prior(d)[0]
        previous = getattr(self, "X_train_", None)
        if optimize and n > 1:
            fit_rows = self._fit_subset(z)
            theta = self._optimize(X[fit_rows], z[fit_rows], theta)
        extend = (
            previous is not None
            and previous.shape[1] == d
            and len(previous) <= n
            and np.array_equal(theta, self.theta_)
            and np.array_equal(X[: len(previous)], previous)
        )
        self._set_theta(theta)
        self.X_train_ = X
        self._scaled_train_ = None
        self.z_train_ = z
        if extend:
            self._extend_factor(len(previous))
        else:
            self._factorize()
        return self

    def _fit_subset(self, z):
        """Rows the hyperparameters are fitted on."""
        return best_and_spread(z, self.max_fit_samples)

    def _set_theta(self, theta):
        self.theta_ = np.asarray(theta, dtype=float).copy()
        self.length_scale_ = np.exp(self.theta_[:-2])
        self.output_scale_ = float(np.exp(self.theta_[-2]))
        self.noise_ = float(np.exp(self.theta_[-1]))

    def _bounds(self, d):
        return np.log(
            [_LENGTH_SCALE_BOUNDS] * d + [_OUTPUT_SCALE_BOUNDS, _NOISE_BOUNDS]
        )

    def _log_prior(self, theta, prior):
        """Log prior density (up to a constant) and its gradient in `theta`,
        for the ``(loc, scale)`` of `prior`."""
        loc, scale = prior
        t = (theta - loc) / scale
        return -0.5 * float(t @ t), -t / scale

    def _objective(self, theta, sq_diff, z, prior):
        """Negative log posterior of the hyperparameters and its gradient."""
        n, d = len(z), len(theta) - 2
        length_scale = np.exp(theta[:-2])
        output_scale, noise = np.exp(theta[-2]), np.exp(theta[-1])
        r2 = (sq_diff @ (1.0 / length_scale**2)).reshape(n, n)
        k, g = _matern52(r2, with_factor=True)
        K = output_scale * k
        K[np.diag_indices_from(K)] += noise + _JITTER
        try:
            L = _cholesky(K)
        except LinAlgError:
            # Not a covariance at these hyperparameters: a value far worse
            # than any makes the line search step back.
            return 1e25, np.zeros_like(theta)
        alpha = _cho_solve(L, z)
        log_ml = -0.5 * z @ alpha - np.log(np.diag(L)).sum() - 0.5 * n * _LOG_2PI
        # d(-log ml)/d theta_i = 0.5 tr(W dK/d theta_i) with
        # W = K^-1 - alpha alpha^T; the trace term needs K^-1 itself, which
        # LAPACK's potri forms from the factor in a third of the operations
        # of solving for the identity. It fills the lower triangle and leaves
        # the factor's zeros above it, so W + W.T doubles only the diagonal.
        W, _ = lapack.dpotri(L, lower=1)
        W += W.T
        W[np.diag_indices_from(W)] *= 0.5
        W -= np.outer(alpha, alpha)
        grad = np.empty_like(theta)
        grad[:d] = 0.5 * output_scale * (sq_diff.T @ (W * g).ravel()) / length_scale**2
        grad[-2] = 0.5 * output_scale * float(np.sum(W * k))
        grad[-1] = 0.5 * noise * float(np.trace(W))
        log_prior, prior_grad = self._log_prior(theta, prior)
        return -(log_ml + log_prior), grad - prior_grad

    def _optimize(self, X, z, theta0):
        n, d = X.shape
        sq_diff = ((X[:, None, :] - X[None, :, :]) ** 2).reshape(n * n, d)
        bounds = self._bounds(d)
        theta0 = np.clip(theta0, bounds[:, 0], bounds[:, 1])
        values = []
        prior = _prior(d)

        def objective(theta):
            value, grad = self._objective(theta, sq_diff, z, prior)
            values.append(value)
            return value, grad

        result = minimize(
            objective,
            theta0,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": self.max_iter},
        )
        # L-BFGS-B evaluates its start first.
        self.fit_gain_ = float(values[0] - result.fun)
        return result.x if np.all(np.isfinite(result.x)) else theta0

    def _kernel(self, A, B, *, with_factor=False, scaled_B=None):
        """Unit-scale kernel between the rows of `A` and `B`.

        `scaled_B` is ``(B / length_scale_, squared norms of its rows)`` if
        already known (see :meth:`_scaled_train`).
        """
        a = A / self.length_scale_
        if scaled_B is None:
            b = B / self.length_scale_
            b_norms = np.einsum("ij,ij->i", b, b)
        else:
            b, b_norms = scaled_B
        r2 = a @ b.T
        r2 *= -2.0
        r2 += np.einsum("ij,ij->i", a, a)[:, None]
        r2 += b_norms[None, :]
        return _matern52(np.maximum(r2, 0.0, out=r2), with_factor=with_factor)

    def _scaled_train(self):
        """The training inputs over the length scales and their squared
        norms, as :meth:`_kernel` forms them, kept until the inputs or the
        hyperparameters change: the acquisition search predicts dozens of
        times per ask with the same ones."""
        if getattr(self, "_scaled_train_", None) is None:
            b = self.X_train_ / self.length_scale_
            self._scaled_train_ = (b, np.einsum("ij,ij->i", b, b))
        return self._scaled_train_

    def _extend_factor(self, n_old):
        """The factor of the grown data from that of its first `n_old` rows."""
        X = self.X_train_
        if n_old < len(X):
            new = X[n_old:]
            Kxn = self.output_scale_ * self._kernel(new, X[:n_old])
            Kxx = self.output_scale_ * self._kernel(new, new)
            Kxx[np.diag_indices_from(Kxx)] += self.noise_ + _JITTER
            try:
                self.L_ = self._grown_factor(Kxn, Kxx, 0.0)
            except LinAlgError:
                self._factorize()
                return
        self._condition()

    def _grown_factor(self, Kxn, Kxx, floor):
        """``L_`` grown by the rows of a block of kernel values.

        `Kxn` is the kernel between the new and the current points, `Kxx`
        between the new ones (noise included as wanted), `floor` added to
        the diagonal of their conditional covariance.
        """
        B = _solve_lower(self.L_, Kxn.T)
        S = Kxx - B.T @ B
        S[np.diag_indices_from(S)] += floor
        n, m = len(self.L_), len(Kxx)
        L = np.zeros((n + m, n + m))
        L[:n, :n] = self.L_
        L[n:, :n] = B.T
        L[n:, n:] = _cholesky(S)
        return L

    def _factorize(self):
        X = self.X_train_
        K = self.output_scale_ * self._kernel(X, X)
        K[np.diag_indices_from(K)] += self.noise_ + _JITTER
        jitter = _JITTER
        while True:
            try:
                self.L_ = _cholesky(K)
                break
            except LinAlgError:
                # Only reachable with near-duplicate inputs and the smallest
                # noise: grow the diagonal until the factorisation succeeds.
                K[np.diag_indices_from(K)] += jitter
                jitter *= 10.0
        self._condition()

    def _condition(self):
        X = self.X_train_
        self.L_inv_ = None
        self.alpha_ = _cho_solve(self.L_, self.z_train_)
        self.log_marginal_likelihood_ = float(
            -0.5 * self.z_train_ @ self.alpha_
            - np.log(np.diag(self.L_)).sum()
            - 0.5 * len(X) * _LOG_2PI
        )

    def fantasize(self, X, y=None):
        """A copy conditioned on made-up values `y` of the function at `X`.

        The values are of the latent function, without noise: the copy
        predicts exactly `y` at `X`, with no uncertainty left there, however
        noisy the scores, which is what keeps the next candidate of a batch
        away. The hyperparameters and the standardisation stay. The
        Cholesky factor grows by a block, in ``O(n**2)`` per point.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_features)
        y : ndarray of shape (n_points,), default=None
            The fantasised values; None uses the predicted mean (the
            "kriging believer", which leaves the posterior mean unchanged).

        Returns
        -------
        gp : GaussianProcess
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        y = self.predict(X) if y is None else np.asarray(y, dtype=float)
        z_new = (y - self.y_mean_) / self.y_std_
        Kxn = self.output_scale_ * self._kernel(X, self.X_train_)
        Kxx = self.output_scale_ * self._kernel(X, X)
        # The posterior covariance at points next to the data is tiny and may
        # round below zero: a floor relative to the output scale keeps it a
        # covariance.
        L = self._grown_factor(Kxn, Kxx, _FANTASY_JITTER * self.output_scale_)

        gp = GaussianProcess(
            max_iter=self.max_iter, max_fit_samples=self.max_fit_samples
        )
        gp.__dict__.update(self.__dict__)
        gp.X_train_ = np.vstack([self.X_train_, X])
        gp._scaled_train_ = None
        gp.z_train_ = np.r_[self.z_train_, z_new]
        gp.L_ = L
        gp.L_inv_ = None
        if self.L_inv_ is not None:
            # The inverse of the grown factor from the current one, in
            # O(n**2) per point instead of O(n**3) over again.
            n = len(self.L_)
            S_inv = _triangular_inverse(L[n:, n:])
            gp.L_inv_ = np.zeros_like(L)
            gp.L_inv_[:n, :n] = self.L_inv_
            gp.L_inv_[n:, :n] = -S_inv @ (L[n:, :n] @ self.L_inv_)
            gp.L_inv_[n:, n:] = S_inv
        gp.alpha_ = _cho_solve(L, gp.z_train_)
        return gp

    def _inverse_factor(self):
        """``L_^-1``, formed once per factor and kept.

        The acquisition search solves with the factor for hundreds of
        candidates at a time, and a product with the inverse runs about
        twice as fast as LAPACK's triangular solve with as many right-hand
        sides.
        """
        if self.L_inv_ is None:
            self.L_inv_ = _triangular_inverse(self.L_)
        return self.L_inv_

    # --------------------------------------------------------- prediction --

    def training_mean(self):
        """Posterior mean of the latent function at the training inputs.

        Equal to ``predict(X_train_)`` but in ``O(n)``: the latent
        covariance is the factored one less its diagonal term ``s``, so the
        mean ``(K - s I) K^-1 z`` is ``z - s * alpha_``.
        """
        diagonal = self.noise_ + _JITTER
        return self.y_mean_ + self.y_std_ * (self.z_train_ - diagonal * self.alpha_)

    def predict(self, X, *, return_std=False, return_grad=False):
        """Posterior mean (and standard deviation) of the latent function.

        Parameters
        ----------
        X : ndarray of shape (n_points, n_features)
        return_std : bool, default=False
            Also return the standard deviation (noise excluded).
        return_grad : bool, default=False
            Also return the gradients of the mean and of the standard
            deviation with respect to the rows of `X` (implies `return_std`).

        Returns
        -------
        mean : ndarray of shape (n_points,)
        std : ndarray of shape (n_points,), if `return_std` or `return_grad`
        mean_grad, std_grad : ndarrays of shape (n_points, n_features), if
            `return_grad`
        """
        X = np.atleast_2d(np.asarray(X, dtype=float))
        scaled = self._scaled_train()
        if return_grad:
            k, g = self._kernel(X, self.X_train_, with_factor=True, scaled_B=scaled)
        else:
            k = self._kernel(X, self.X_train_, scaled_B=scaled)
        Ks = self.output_scale_ * k
        mean = self.y_mean_ + self.y_std_ * (Ks @ self.alpha_)
        if not (return_std or return_grad):
            return mean
        L_inv = self._inverse_factor()
        v = L_inv @ Ks.T
        var = np.maximum(self.output_scale_ - np.einsum("ij,ij->j", v, v), 1e-12)
        std = np.sqrt(var)
        if not return_grad:
            return mean, self.y_std_ * std
        # d k(x, x_i) / d x = -output_scale * g * (x - x_i) / length_scale**2,
        # so a sum over i weighted by c_i is, with G = g * c,
        # -output_scale * (x * sum_i G_i - G @ X_train) / length_scale**2:
        # two matrix products instead of a tensor of all the differences.
        w = L_inv.T @ v
        weights = np.empty((2, *g.shape))
        np.multiply(g, self.alpha_, out=weights[0])
        np.multiply(g, w.T, out=weights[1])
        sums = weights.sum(axis=2)[:, :, None] * X - weights @ self.X_train_
        sums *= -self.output_scale_ / self.length_scale_**2
        mean_grad = self.y_std_ * sums[0]
        std_grad = self.y_std_ * -sums[1] / std[:, None]
        return mean, self.y_std_ * std, mean_grad, std_grad
