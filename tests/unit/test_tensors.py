"""normviz.tensors: seeded synthetic tensors and an image as a batch of crops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from normviz import tensors


def test_synthetic_batch_seeded_and_shaped():
    a = tensors.synthetic_batch(3, 4, 5, 6, channel_offset=2.0, seed=7)
    assert a.shape == (3, 4, 5, 6) and a.dtype == torch.float32
    assert torch.equal(a, tensors.synthetic_batch(3, 4, 5, 6, channel_offset=2.0, seed=7))
    assert not torch.equal(a, tensors.synthetic_batch(3, 4, 5, 6, channel_offset=2.0, seed=8))


def test_synthetic_batch_offsets_and_scales():
    x = tensors.synthetic_batch(
        64, 3, 16, 16, channel_offset=4.0, channel_scale=1.0, sample_offset=0.0, seed=0
    )
    mean = x.mean(dim=(0, 2, 3))
    std = x.std(dim=(0, 2, 3))
    assert mean.tolist() == pytest.approx([-4.0, 0.0, 4.0], abs=0.05)
    assert std.tolist() == pytest.approx([0.5, 1.0, 2.0], rel=0.05)
    y = tensors.synthetic_batch(3, 32, 16, 16, sample_offset=2.0, sample_scale=1.0, seed=0)
    assert y.mean(dim=(1, 2, 3)).tolist() == pytest.approx([-2.0, 0.0, 2.0], abs=0.1)


def test_synthetic_batch_errors():
    with pytest.raises(ValueError, match=r"n must be >= 1 \(got 0\)"):
        tensors.synthetic_batch(0, 1, 1, 1)
    with pytest.raises(TypeError, match="c must be an int"):
        tensors.synthetic_batch(1, 2.0, 1, 1)


def test_tokens_and_stream():
    t = tensors.synthetic_tokens(2, 3, 64, token_offset=3.0, seed=0)
    assert t.shape == (2, 3, 64) and t.dtype == torch.float32
    assert t.mean(dim=2).flatten().tolist()[0] == pytest.approx(-3.0, abs=0.3)
    s = tensors.gaussian_batches(400, 8, (1.0, -2.0), (0.5, 2.0), size=4, seed=1)
    assert s.shape == (400, 8, 2, 4, 4)
    assert s.mean(dim=(0, 1, 3, 4)).tolist() == pytest.approx([1.0, -2.0], abs=0.05)
    assert s.std(dim=(0, 1, 3, 4)).tolist() == pytest.approx([0.5, 2.0], rel=0.03)
    with pytest.raises(ValueError, match="as many means as stds"):
        tensors.gaussian_batches(2, 2, (1.0,), (1.0, 2.0))


@pytest.mark.parametrize(
    ("dtype", "scale"), [(np.uint8, 255), (np.uint16, 65535), (np.float32, 1), (np.float64, 1)]
)
def test_image_to_batch_dtypes(dtype, scale):
    img = (np.arange(6 * 8 * 3).reshape(6, 8, 3) % 50).astype(dtype)
    b = tensors.image_to_batch(img, 5, 3, seed=2)
    assert b.shape == (5, 3, 3, 3) and b.dtype == torch.float32
    # oracle: every crop is a window of the image, channels first
    ref = torch.from_numpy(img.astype(np.float64) / scale)
    for crop in b.double():
        found = any(
            torch.allclose(crop, ref[t : t + 3, s : s + 3].permute(2, 0, 1), atol=1e-6)
            for t in range(4)
            for s in range(6)
        )
        assert found


def test_image_to_batch_grey_stride_and_errors():
    img = np.arange(64, dtype=np.uint8).reshape(8, 8)
    b = tensors.image_to_batch(img, 1, 4, stride=2)
    assert b.shape == (1, 1, 4, 4)
    assert (b[0, 0] * 255).round().tolist() == [
        [0, 2, 4, 6], [16, 18, 20, 22], [32, 34, 36, 38], [48, 50, 52, 54]
    ]  # fmt: skip
    with pytest.raises(ValueError, match=r"crop size must be in \[1, 8\] \(got 9\)"):
        tensors.image_to_batch(img, 1, 9)
    with pytest.raises(ValueError, match=r"expected a 2D or 3D"):
        tensors.image_to_batch(np.zeros((2, 2, 2, 2), np.uint8), 1, 1)
    with pytest.raises(TypeError, match="uint8, uint16 or float"):
        tensors.image_to_batch(np.zeros((4, 4), np.int32), 1, 1)
    with pytest.raises(TypeError, match="numpy array"):
        tensors.image_to_batch([[1, 2]], 1, 1)


def test_synthetic_image():
    img = tensors.synthetic_image(40, 50, seed=3)
    assert img.shape == (40, 50, 3) and img.dtype == np.uint8
    assert np.array_equal(img, tensors.synthetic_image(40, 50, seed=3))
    assert img.std() > 10  # not flat


def test_sizes_use_the_shared_int_check():
    """tensors' sizes are checked by normviz._checks.check_int: NumPy ints are sizes too (its
    private copy refused np.int64), bools are not."""
    assert tensors.synthetic_batch(np.int64(2), 1, 1, 1).shape == (2, 1, 1, 1)
    with pytest.raises(TypeError, match="n must be an int"):
        tensors.synthetic_batch(True, 1, 1, 1)


@pytest.mark.parametrize("c", [1, 2, 3, 5, 8])
def test_crop_batch_has_c_channels_cycling_the_images(c):
    """Issue 11: the layers page's crop logic (stride, channel repetition) lives in tensors."""
    img = tensors.synthetic_image(192, 256, seed=0)
    x = tensors.crop_batch(img, 4, c, 5, seed=0)
    assert x.shape == (4, c, 5, 5) and x.dtype == torch.float32
    rgb = tensors.image_to_batch(img, 4, 5, seed=0, stride=192 // 64)
    for k in range(c):
        assert torch.equal(x[:, k], rgb[:, k % 3])
    with pytest.raises(ValueError, match="c must be >= 1"):
        tensors.crop_batch(img, 4, 0, 5)
