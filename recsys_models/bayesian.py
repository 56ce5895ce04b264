"""
Bayesian matrix factorisations fitted by Gibbs sampling.

``BayesianMF`` is Bayesian PMF (Salakhutdinov & Mnih, 2008): Gaussian ratings around the dot
product, Gaussian priors on the vectors whose mean and precision get a Normal-Wishart
hyperprior. ``MacauMF`` (Simm et al., 2015) adds user and item biases, priors whose mean
regresses on features (who rated what, side information) and an ordinal likelihood. The
math is in ``beyond_the_homework.ipynb``.
"""

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from scipy.special import ndtr, ndtri
from scipy.stats import wishart
from threadpoolctl import threadpool_limits

from .features import implicit_features

# The Normal-Wishart hyperprior: mean mu_0 = 0, its weight beta_0, W_0 = identity, nu_0 = dim.
PRIOR_MEAN_WEIGHT = 2.0   # beta_0


def sample_prior(X, rng):
    """Draw the mean and precision of the rows' Gaussian prior given the rows ``X`` (conditional 1)."""
    n, d = X.shape
    mean, covariance = X.mean(0), np.cov(X.T, bias=True)
    shrink = PRIOR_MEAN_WEIGHT * n / (PRIOR_MEAN_WEIGHT + n)
    W = np.linalg.inv(np.eye(d) + n * covariance + shrink * np.outer(mean, mean))
    precision = wishart.rvs(df=d + n, scale=(W + W.T) / 2, random_state=rng)
    noise = np.linalg.cholesky(np.linalg.inv((PRIOR_MEAN_WEIGHT + n) * precision)) @ rng.standard_normal(d)
    return n / (PRIOR_MEAN_WEIGHT + n) * mean + noise, precision


def sample_factors(R, Y, prior_mean, prior_precision, alpha, rng):
    """Draw every row's vector given the other side's vectors ``Y`` and the centred ratings
    ``R`` (rows x columns, sparse) (conditional 2)."""
    d = Y.shape[1]
    rated = R.copy()
    rated.data[:] = 1.0
    outer = (Y[:, :, None] * Y[:, None, :]).reshape(-1, d * d)
    P = prior_precision + alpha * (rated @ outer).reshape(-1, d, d)   # posterior precisions
    b = alpha * (R @ Y) + prior_precision @ prior_mean
    mean = np.linalg.solve(P, b[:, :, None])
    noise = np.linalg.solve(np.linalg.cholesky(P).transpose(0, 2, 1), rng.randn(len(b), d, 1))
    return (mean + noise)[:, :, 0]


BPMF = dict(dim=10, alpha=1.5, n_iter=150, burn_in=10)


class BayesianMF:
    """
    Bayesian probabilistic matrix factorisation fitted by Gibbs sampling.

    Parameters
    ----------
    dim: int
        Dimension of the user and item vectors.
    alpha: float
        Precision of the ratings' Gaussian noise.
    n_iter, burn_in: int
        Gibbs sweeps in all, and the first ones discarded.
    random_state: np.random.RandomState
        The source of every draw.
    """

    def __init__(self, dim, alpha, n_iter, burn_in, random_state):
        self.dim, self.alpha, self.n_iter, self.burn_in = dim, alpha, n_iter, burn_in
        self.rng = random_state

    def fit(self, interactions):
        """Sample the posterior given the ratings of ``interactions``; returns self."""
        if self.burn_in >= self.n_iter:
            raise ValueError(f'burn_in ({self.burn_in}) must be below n_iter ({self.n_iter}): '
                             'no draw would be kept.')
        self.mean = interactions.ratings.mean()
        R = sp.csr_matrix((interactions.ratings - self.mean,
                           (interactions.user_ids, interactions.item_ids)),
                          shape=(interactions.num_users, interactions.num_items))
        RT = R.T.tocsr()
        U = 0.1 * self.rng.randn(R.shape[0], self.dim)
        V = 0.1 * self.rng.randn(R.shape[1], self.dim)
        self.samples = []
        for iteration in range(self.n_iter):
            U = sample_factors(R, V, *sample_prior(U, self.rng), self.alpha, self.rng)
            V = sample_factors(RT, U, *sample_prior(V, self.rng), self.alpha, self.rng)
            if iteration >= self.burn_in:
                self.samples.append((U, V))
        return self

    def predict(self, user_ids, item_ids):
        """The posterior mean rating, clipped to [1, 5]."""
        dots = np.mean([(U[user_ids] * V[item_ids]).sum(1) for U, V in self.samples], axis=0)
        return np.clip(self.mean + dots, 1, 5)


class FeaturePrior:
    """One side (users or items): the Gaussian prior of its [bias, factors] vectors, whose
    mean M = X W regresses on the features X."""

    def __init__(self, features, dim, rng):
        X = features.tocsr()
        tall = X.shape[1] <= X.shape[0]
        s2, basis = np.linalg.eigh((X.T @ X if tall else X @ X.T).toarray())
        keep = s2 > 1e-9 * s2.max()
        s2, basis = s2[keep], basis[:, keep]
        self.Q = X @ (basis / np.sqrt(s2)) if tall else basis   # X = Q S R^T
        self.shrink = s2 / (s2 + 1)
        self.M = np.zeros((X.shape[0], dim))
        self.rng = rng

    def sample(self, vectors):
        """Draw (mu, Lambda) given the vectors minus M (conditional 1), then M = X W given them."""
        self.mu, self.precision = sample_prior(vectors - self.M, self.rng)
        coefficients = self.shrink[:, None] * (self.Q.T @ (vectors - self.mu))
        Z = np.sqrt(self.shrink)[:, None] * self.rng.standard_normal((len(self.shrink), self.M.shape[1]))
        column = np.linalg.cholesky(self.precision)
        self.M = self.Q @ (coefficients + sla.solve_triangular(column, Z.T, lower=True).T)

    def sample_vectors(self, R, rated, other, alpha):
        """Draw every [bias, factors] row given the other side's rows (conditional 2, with the
        other side's bias as an offset and this side's bias as the weight of a constant 1)."""
        n_other, d = other.shape
        design = np.hstack([np.ones((n_other, 1)), other[:, 1:]])
        outer = (design[:, :, None] * design[:, None, :]).reshape(n_other, d * d)
        P = self.precision + alpha * (rated @ outer).reshape(-1, d, d)
        b = alpha * (R @ design - rated @ (other[:, :1] * design)) + (self.mu + self.M) @ self.precision
        mean = np.linalg.solve(P, b[:, :, None])
        noise = np.linalg.solve(np.linalg.cholesky(P).transpose(0, 2, 1), self.rng.standard_normal((len(b), d, 1)))
        return (mean + noise)[:, :, 0]


def truncated_normal(mean, precision, low, high, rng):
    """Draws of N(mean, 1 / precision) truncated to [low, high], by the inverse CDF."""
    scale = 1 / np.sqrt(precision)
    a, b = (low - mean) / scale, (high - mean) / scale
    flip = a > 0                       # draw from the mirror image: accurate in the far tail
    a, b = np.where(flip, -b, a), np.where(flip, -a, b)
    lo, hi = ndtr(a), ndtr(b)
    z = ndtri(np.clip(lo + rng.random(len(mean)) * (hi - lo), 1e-300, 1 - 1e-16))
    return mean + scale * np.where(flip, -z, z)


MACAU = dict(rank=10, n_sweeps=140, burn_in=20, lambda_implicit=3.0, lambda_side=1.0,
             implicit_power=0.5, ordinal=True)


class MacauMF:
    """
    Bayesian biased MF (Gibbs sampling) whose priors regress on implicit and side features,
    with an ordinal likelihood.

    Parameters
    ----------
    rank: int
        Dimension of the vectors (each also has a bias).
    n_sweeps, burn_in: int
        Gibbs sweeps in all, and the first ones discarded.
    lambda_implicit, lambda_side: float
        Prior precisions of the weights of the "who rated what" block and of the side
        information.
    implicit_power: float
        Each row of "who rated what" is scaled by its count ** -implicit_power.
    ordinal: bool
        Stars as ordered categories (True) or Gaussian noise around the star.
    seed: int
        Seeds ``np.random.default_rng``.
    """

    def __init__(self, rank, n_sweeps, burn_in, lambda_implicit, lambda_side, implicit_power,
                 ordinal, seed):
        self.rank, self.n_sweeps, self.burn_in, self.seed = rank, n_sweeps, burn_in, seed
        self.lambda_implicit, self.lambda_side = lambda_implicit, lambda_side
        self.implicit_power, self.ordinal = implicit_power, ordinal

    def fit(self, interactions, user_side, item_side):
        """
        Sample the posterior; returns self.

        Parameters
        ----------
        interactions: Interactions
            One rating per (user, item) pair.
        user_side, item_side: scipy.sparse matrix
            One row per user id and per item id (``features.user_side_features``, ...).
        """
        if self.burn_in >= self.n_sweeps:
            raise ValueError(f'burn_in ({self.burn_in}) must be below n_sweeps ({self.n_sweeps}): '
                             'no draw would be kept.')
        for name, side, rows in (('user_side', user_side, interactions.num_users),
                                 ('item_side', item_side, interactions.num_items)):
            if side.shape[0] != rows:
                raise ValueError(f'{name} must have one row per id ({rows}), got {side.shape[0]} rows.')
        with threadpool_limits(1):   # small matrices: more BLAS threads only contend
            return self._sample(interactions, user_side, item_side)

    def _sample(self, interactions, user_side, item_side):
        rng = np.random.default_rng(self.seed)
        self.mean = float(interactions.ratings.mean())
        users, items, stars = interactions.user_ids, interactions.item_ids, interactions.ratings.astype(float)
        order = sp.csr_matrix((np.arange(1.0, len(users) + 1), (users, items)),
                              shape=(interactions.num_users, interactions.num_items))
        if order.nnz != len(users):
            raise ValueError(f'MacauMF needs one rating per (user, item) pair: {len(users) - order.nnz} '
                             'pairs repeat; keep one rating per pair (e.g. the latest) before fitting')
        R, RT = order.copy(), order.T.tocsr()          # their data is refilled in this order each sweep
        to_R, to_RT = R.data.astype(int) - 1, RT.data.astype(int) - 1
        rated, ratedT = (R != 0).astype(float), (RT != 0).astype(float)
        user_implicit, item_implicit = implicit_features(interactions, self.implicit_power)
        priors = [FeaturePrior(sp.hstack([implicit / np.sqrt(self.lambda_implicit), side / np.sqrt(self.lambda_side)]),
                               self.rank + 1, rng)
                  for implicit, side in ((user_implicit, user_side), (item_implicit, item_side))]
        U, V = (0.1 * rng.standard_normal((n, self.rank + 1)) for n in R.shape)
        alpha, target, fitted = 1.5, stars - self.mean, np.zeros(len(stars))
        low = np.where(stars <= 1, -np.inf, stars - 0.5 - self.mean)
        high = np.where(stars >= 5, np.inf, stars + 0.5 - self.mean)
        self.samples = []
        for sweep in range(self.n_sweeps):
            if self.ordinal:
                target = truncated_normal(fitted, alpha, low, high, rng)
            R.data, RT.data = target[to_R], target[to_RT]
            priors[0].sample(U)
            priors[1].sample(V)
            U = priors[0].sample_vectors(R, rated, V, alpha)
            V = priors[1].sample_vectors(RT, ratedT, U, alpha)
            fitted = self._raw(U, V, users, items)
            residual = target - fitted
            alpha = rng.gamma(1 + len(residual) / 2, 1 / (1 + residual @ residual / 2))  # noise precision
            if sweep >= self.burn_in:
                self.samples.append((U, V, alpha))
        return self

    @staticmethod
    def _raw(U, V, user_ids, item_ids):
        u, v = U[user_ids], V[item_ids]
        return u[:, 0] + v[:, 0] + (u[:, 1:] * v[:, 1:]).sum(1)

    def predict(self, user_ids, item_ids):
        """The posterior mean of the expected star, clipped to [1, 5]."""
        draws = []
        for U, V, alpha in self.samples:
            latent = self.mean + self._raw(U, V, user_ids, item_ids)
            if self.ordinal:   # 1 + the number of cut points 1.5, ..., 4.5 below the hidden score
                latent = 1 + ndtr((latent[:, None] - np.arange(1.5, 5)) * np.sqrt(alpha)).sum(1)
            draws.append(latent)
        return np.clip(np.mean(draws, axis=0), 1, 5)
