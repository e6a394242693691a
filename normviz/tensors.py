"""Seeded tensors for the normalization-layers lesson, and an image turned into a batch of crops.

Every generator takes an explicit ``seed`` and returns float32 torch tensors; the same arguments
always give the same tensor. Offsets and scales are spread evenly (not at random) over channels
and samples, so what each normalization removes is easy to see.
"""

from __future__ import annotations

import numpy as np
import torch

from normviz._checks import check_int, check_ndim, check_range


def _spread(count: int) -> torch.Tensor:
    """Return ``count`` values evenly spaced in [-1, 1] (a single 0 when count is 1)."""
    return torch.linspace(-1.0, 1.0, count) if count > 1 else torch.zeros(1)


def _check_sizes(**sizes: int) -> None:
    """Raise unless every size is an int >= 1 (:func:`normviz._checks.check_int`'s wording)."""
    for name, value in sizes.items():
        check_int(value, name, 1)


def synthetic_batch(
    n: int,
    c: int,
    h: int,
    w: int,
    *,
    channel_offset: float = 0.0,
    channel_scale: float = 0.0,
    sample_offset: float = 0.0,
    sample_scale: float = 0.0,
    seed: int = 0,
) -> torch.Tensor:
    """Return an (N, C, H, W) float32 batch whose channels and samples differ in mean and scale.

    Element ``x[n, c] = z * 2**(channel_scale * v_c + sample_scale * u_n)
    + channel_offset * v_c + sample_offset * u_n`` with ``z`` standard normal (seeded) and
    ``v_c``, ``u_n`` evenly spaced in [-1, 1] over channels and samples.

    Parameters
    ----------
    n, c, h, w : int >= 1
    channel_offset, sample_offset : float
        Half the range of the per-channel / per-sample means.
    channel_scale, sample_scale : float
        Log2 of the largest per-channel / per-sample standard deviation (the smallest is 1 over it).
    seed : int

    Examples
    --------
    >>> x = synthetic_batch(2, 3, 4, 4, channel_offset=5.0, seed=1)
    >>> x.shape, x.dtype
    (torch.Size([2, 3, 4, 4]), torch.float32)
    >>> [round(m) for m in x.mean(dim=(0, 2, 3)).tolist()]
    [-5, 0, 5]
    """
    _check_sizes(n=n, c=c, h=h, w=w)
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(n, c, h, w, generator=gen)
    v = _spread(c).reshape(1, c, 1, 1)
    u = _spread(n).reshape(n, 1, 1, 1)
    scale = torch.exp2(channel_scale * v + sample_scale * u)
    return z * scale + (channel_offset * v + sample_offset * u)


def synthetic_tokens(
    n: int, t: int, d: int, *, token_offset: float = 3.0, seed: int = 0
) -> torch.Tensor:
    """Return an (N, T, D) float32 batch of token embeddings, each token with its own offset.

    Token t of sample n has mean ``token_offset * u`` (u evenly spaced in [-1, 1] over all N*T
    tokens) and a standard deviation from 0.5 to 2, so LayerNorm visibly rescales each token.

    Examples
    --------
    >>> x = synthetic_tokens(2, 3, 8, seed=0)
    >>> x.shape
    torch.Size([2, 3, 8])
    """
    _check_sizes(n=n, t=t, d=d)
    gen = torch.Generator().manual_seed(seed)
    u = _spread(n * t).reshape(n, t, 1)
    return torch.randn(n, t, d, generator=gen) * torch.exp2(u) + token_offset * u


def gaussian_batches(
    steps: int,
    batch_size: int,
    means: tuple[float, ...],
    stds: tuple[float, ...],
    size: int = 4,
    seed: int = 0,
) -> torch.Tensor:
    """Return a stream of ``steps`` mini-batches, (S, B, C, size, size) float32.

    Channel c is drawn from a normal with mean ``means[c]`` and standard deviation ``stds[c]``:
    the population values BatchNorm's running statistics should converge to.

    Examples
    --------
    >>> s = gaussian_batches(500, 16, (2.0,), (3.0,), size=4, seed=0)
    >>> s.shape, round(s.mean().item(), 1), round(s.std().item(), 1)
    (torch.Size([500, 16, 1, 4, 4]), 2.0, 3.0)
    """
    _check_sizes(steps=steps, batch_size=batch_size, size=size)
    if len(means) != len(stds) or not means:
        raise ValueError(f"expected as many means as stds (got {len(means)} and {len(stds)})")
    c = len(means)
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(steps, batch_size, c, size, size, generator=gen)
    std = torch.tensor(stds, dtype=torch.float32).reshape(1, 1, c, 1, 1)
    mean = torch.tensor(means, dtype=torch.float32).reshape(1, 1, c, 1, 1)
    return z * std + mean


def to_unit_float(image: np.ndarray) -> np.ndarray:
    """Return ``image`` as float32: uint8 / 255, uint16 / 65535, floats unchanged.

    Examples
    --------
    >>> to_unit_float(np.array([[0, 255]], dtype=np.uint8)).tolist()
    [[0.0, 1.0]]
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"expected a numpy array (got {type(image).__name__})")
    if image.dtype == np.uint8:
        return image.astype(np.float32) / np.float32(255)
    if image.dtype == np.uint16:
        return image.astype(np.float32) / np.float32(65535)
    if np.issubdtype(image.dtype, np.floating):
        return image.astype(np.float32, copy=False)
    raise TypeError(f"expected a uint8, uint16 or float image (got {image.dtype})")


def image_to_batch(
    image: np.ndarray, n: int, size: int, seed: int = 0, stride: int = 1
) -> torch.Tensor:
    """Return ``n`` random square crops of ``image`` as an (N, C, size, size) float32 tensor.

    Parameters
    ----------
    image : (H, W) or (H, W, C) numpy array, uint8, uint16 or float
        Integers are scaled to [0, 1]; floats are kept as they are.
    n : int >= 1
        Number of crops (the batch size).
    size : int, 1 <= size <= min(H, W)
        Crop side.
    seed : int
        Crop positions come from ``np.random.default_rng(seed)``.
    stride : int >= 1
        Take every ``stride``-th pixel first (a cheap downscale, so small crops show structure).

    Examples
    --------
    >>> img = np.arange(48, dtype=np.uint8).reshape(4, 4, 3)
    >>> b = image_to_batch(img, 2, 2, seed=0)
    >>> b.shape, b.dtype
    (torch.Size([2, 3, 2, 2]), torch.float32)
    >>> image_to_batch(img, 1, 4)[0, 0, 0].mul(255).round().tolist()
    [0.0, 3.0, 6.0, 9.0]
    """
    arr = to_unit_float(image)
    check_ndim(arr.ndim, (2, 3), "(H, W) or (H, W, C) image")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    _check_sizes(n=n, size=size, stride=stride)
    arr = arr[::stride, ::stride]
    h, w, _ = arr.shape
    check_range(size, 1, min(h, w), "crop size")
    rng = np.random.default_rng(seed)
    top = rng.integers(0, h - size + 1, n)
    left = rng.integers(0, w - size + 1, n)
    crops = np.stack([arr[t : t + size, s : s + size] for t, s in zip(top, left, strict=True)])
    return torch.from_numpy(np.ascontiguousarray(crops.transpose(0, 3, 1, 2)))


def crop_batch(
    image: np.ndarray, n: int, c: int, side: int, seed: int = 0, target: int = 64
) -> torch.Tensor:
    """Return ``n`` random ``side`` x ``side`` crops of ``image`` with exactly ``c`` channels.

    The image is first thinned to about ``target`` pixels on its short side (stride
    ``min(H, W) // target``), so small crops show structure; its channels are kept when
    ``c`` is at most their number and repeated in turn (R, G, B, R, ...) when it is larger.

    Parameters
    ----------
    image : (H, W) or (H, W, C_img) numpy array, uint8, uint16 or float
    n, c, side : int >= 1
        Batch size, channels and crop side (at most the thinned image's short side).
    seed : int
        Crop positions (:func:`image_to_batch`).
    target : int >= 1

    Returns
    -------
    (n, c, side, side) float32 tensor
        Channel k is the image's channel ``k % C_img``.

    Examples
    --------
    >>> img = np.arange(2 * 2 * 3, dtype=np.uint8).reshape(2, 2, 3)
    >>> x = crop_batch(img, 1, 5, 2)
    >>> x.shape, torch.equal(x[:, 3], x[:, 0]), torch.equal(x[:, 4], x[:, 1])
    (torch.Size([1, 5, 2, 2]), True, True)
    """
    _check_sizes(c=c, target=target)
    stride = max(min(image.shape[:2]) // target, 1)
    x = image_to_batch(image, n, side, seed=seed, stride=stride)
    return x[:, :c] if c <= x.shape[1] else x.repeat(1, -(-c // x.shape[1]), 1, 1)[:, :c]


def synthetic_image(h: int = 96, w: int = 128, seed: int = 0) -> np.ndarray:
    """Return a seeded (H, W, 3) uint8 test picture: colour gradients, a disc, stripes and noise.

    Its regions differ in brightness, colour and texture, so crops from it differ per channel
    and per sample like real photographs do.

    Examples
    --------
    >>> img = synthetic_image(32, 48)
    >>> img.shape, img.dtype
    ((32, 48, 3), dtype('uint8'))
    """
    _check_sizes(h=h, w=w)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = yy / max(h - 1, 1), xx / max(w - 1, 1)
    red = 0.2 + 0.7 * xx
    green = 0.3 + 0.5 * yy + 0.15 * np.sin(xx * 25.0)
    blue = 0.6 - 0.4 * xx * yy
    disc = (xx - 0.7) ** 2 + (yy - 0.4) ** 2 < 0.05
    red[disc], green[disc], blue[disc] = 0.95, 0.8, 0.1
    img = np.stack([red, green, blue], axis=-1) + rng.normal(0.0, 0.04, (h, w, 3))
    return (np.clip(img, 0.0, 1.0) * 255).round().astype(np.uint8)
