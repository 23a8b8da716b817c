"""PyTorch fp32 reference timings for the benchmark models (timing only, no training quality).

Same architectures, batch sizes and input shapes as the TypeScript models in src/benchmarks/,
so `npm run bench` on the WebGPU backend can be compared row by row. TF32 is off: the tfjs
kernels compute in plain fp32. Prints a table and writes JSON (--out).

    python3 bench/reference/torch_models.py --out torch.json
"""
import argparse
import json
import time

import torch
from torch import nn
import torch.nn.functional as F


def conv_block(cin, cout):
    # 3x3 conv -> ReLU -> BatchNorm, twice (EMDenoiseNet's order).
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(cout),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(cout),
    )


class EMDenoiseNet(nn.Module):
    """U-Net-like, 3 levels, 8/16/32/64 channels, bilinear upsampling, 122,737 parameters."""

    def __init__(self):
        super().__init__()
        self.b1, self.b2, self.b3, self.b4 = conv_block(1, 8), conv_block(8, 16), conv_block(16, 32), conv_block(32, 64)
        self.b5, self.b6, self.b7 = conv_block(96, 32), conv_block(48, 16), conv_block(24, 8)
        self.last = nn.Conv2d(8, 1, 3, padding=1)

    def forward(self, x):
        s1 = self.b1(x)
        s2 = self.b2(F.max_pool2d(s1, 2))
        s3 = self.b3(F.max_pool2d(s2, 2))
        x = self.b4(F.max_pool2d(s3, 2))
        up = lambda t: F.interpolate(t, scale_factor=2, mode="bilinear", align_corners=True)
        x = self.b5(torch.cat([up(x), s3], 1))
        x = self.b6(torch.cat([up(x), s2], 1))
        x = self.b7(torch.cat([up(x), s1], 1))
        return self.last(x)


class PhaseCNN(nn.Module):
    """The diffsims 1-D CNN: 164,931 parameters for 3 phases."""

    def __init__(self, n_phases=3):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv1d(1, 64, 6), nn.Conv1d(64, 64, 6), nn.Conv1d(64, 64, 6)
        self.drop = nn.Dropout(0.5)
        self.d1, self.d2 = nn.Linear(14 * 64, 128), nn.Linear(128, n_phases)

    def forward(self, x):
        x = F.max_pool1d(F.relu(self.c1(x)), 2)
        x = self.drop(F.max_pool1d(F.relu(self.c2(x)), 2))
        x = F.max_pool1d(F.relu(self.c3(x)), 2)
        return self.d2(F.relu(self.d1(x.flatten(1))))


class OpticalAE(nn.Module):
    """The optical_damage autoencoder on a size x size crop with latent L."""

    def __init__(self, size=200, latent=512):
        super().__init__()
        q = size // 4
        self.q = q
        bn = nn.BatchNorm2d
        self.enc = nn.Sequential(
            nn.Conv2d(1, 64, 3, padding=1), nn.ReLU(), bn(64), nn.MaxPool2d(2),
            nn.Conv2d(64, 32, 3, padding=1), nn.ReLU(), bn(32), nn.MaxPool2d(2),
            nn.Conv2d(32, 16, 3, padding=1), nn.ReLU(), bn(16),
        )
        self.down, self.up = nn.Linear(q * q * 16, latent), nn.Linear(latent, q * q * 16)
        self.dec = nn.Sequential(
            bn(16), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), bn(16),
            nn.ConvTranspose2d(16, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(), bn(32),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), bn(32),
            nn.ConvTranspose2d(32, 64, 3, stride=2, padding=1, output_padding=1), nn.ReLU(), bn(64),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), bn(64),
            nn.Conv2d(64, 1, 1),
        )

    def forward(self, x):
        z = self.up(self.down(self.enc(x).flatten(1)))
        return self.dec(z.view(-1, 16, self.q, self.q))


def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - t0) / reps


def train_step_fn(model, x, y, loss_fn):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    dev = torch.device("cuda")
    rows = []

    def add(name, seconds, items, flops=None):
        row = {"work": name, "ms": seconds * 1e3, "items_per_s": items / seconds if items else None}
        if flops:
            row["tflops"] = flops / seconds / 1e12
        rows.append(row)

    em = EMDenoiseNet().to(dev)
    assert sum(p.numel() for p in em.parameters()) == 122737
    x = torch.rand(32, 1, 256, 256, device=dev)
    add("em_denoise train step b32 256^2", timed(train_step_fn(em, x, x, F.mse_loss), 5, args.reps), 32)
    em.eval()
    with torch.no_grad():
        add("em_denoise inference b32 256^2", timed(lambda: em(x), 5, args.reps), 32)

    cnn = PhaseCNN().to(dev)
    assert sum(p.numel() for p in cnn.parameters()) == 164931
    xp = torch.rand(64, 1, 147, device=dev)
    yp = torch.randint(0, 3, (64,), device=dev)
    add("diffsims CNN train step b64", timed(train_step_fn(cnn, xp, yp, F.cross_entropy), 5, args.reps), 64)
    cnn.eval()
    with torch.no_grad():
        add("diffsims CNN inference b64", timed(lambda: cnn(xp), 5, args.reps), 64)

    ae = OpticalAE(200, 512).to(dev)
    xo = torch.rand(32, 1, 200, 200, device=dev)
    add("optical_damage AE L512 train step b32", timed(train_step_fn(ae, xo, xo, F.mse_loss), 3, max(5, args.reps // 2)), 32)
    ae.eval()
    with torch.no_grad():
        add("optical_damage AE L512 inference b32", timed(lambda: ae(xo), 3, args.reps), 32)

    a = torch.rand(4096, 4096, device=dev)
    b = torch.rand(4096, 4096, device=dev)
    add("matmul 4096^2 fp32", timed(lambda: a @ b, 3, args.reps), 0, 2 * 4096**3)
    conv = nn.Conv2d(32, 32, 3, padding=1).to(dev)
    xc = torch.rand(32, 32, 256, 256, device=dev)
    with torch.no_grad():
        add("conv2d 3x3 32->32 b32 256^2", timed(lambda: conv(xc), 3, args.reps), 0, 2 * 32 * 256 * 256 * 32 * 32 * 9)

    info = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "cuda": torch.version.cuda, "rows": rows}
    for r in rows:
        extra = f"  {r['tflops']:.2f} TFLOP/s" if "tflops" in r else f"  {r['items_per_s']:.1f} items/s"
        print(f"{r['work']:<42} {r['ms']:9.3f} ms{extra}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
