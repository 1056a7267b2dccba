"""PyTorch reference for classify's peak-memory figures (docs/performance.md, "Memory at 224 px").

Builds the same network as `classify train --model NAME` in plain PyTorch, runs a few training steps (Adam) or
inference batches (eval mode, no_grad) on random 224 px batches and prints the process's peak resident memory
(getrusage's ru_maxrss, which counts libtorch's native memory as /usr/bin/time -v does) and the images/s.

    /usr/bin/python3 samples/benchmark/pytorch_memory.py --model resnet18 --mode train --batch-size 32

Written for Debian 12's python3-torch 1.13 and python3-torchvision; run one configuration per process, since the
peak is the process's own.
"""
import argparse
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet


class SeedCnn(nn.Module):
    """classify's seed-cnn: three conv 3x3 + ReLU + max-pool 2x2 blocks (32, 64, 128), dense 512, dropout 0.5."""

    def __init__(self, classes, size):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.conv3 = nn.Conv2d(64, 128, 3)
        side = size
        for _ in range(3):
            side = (side - 2) // 2
        self.fc1 = nn.Linear(128 * side * side, 512)
        self.fc2 = nn.Linear(512, classes)
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        # F.relu as most PyTorch code writes it (classify applies ReLU in place).
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.max_pool2d(F.relu(self.conv3(x)), 2)
        x = self.dropout(F.relu(self.fc1(x.flatten(1))))
        return self.fc2(x)


def build(name, classes, size):
    if name == "seed-cnn":
        return SeedCnn(classes, size)
    if name == "resnet18-cntk":
        # classify's resnet18-cntk: a torchvision-layout ResNet with [2, 2, 2, 3] basic blocks.
        return ResNet(BasicBlock, [2, 2, 2, 3], num_classes=classes)
    return getattr(torchvision.models, name)(num_classes=classes)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="seed-cnn",
                        help="seed-cnn, resnet18-cntk or a torchvision name (resnet18, resnet50, mobilenet_v2, ...)")
    parser.add_argument("--mode", choices=["train", "eval"], default="train")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--steps", type=int, default=4, help="steps after one warm-up step")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = build(args.model, args.classes, args.image_size)
    x = torch.rand(args.batch_size, 3, args.image_size, args.image_size)
    y = torch.randint(0, args.classes, (args.batch_size,))
    if args.mode == "train":
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        model.train()

        def step():
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                model(x).argmax(1)

    step()
    start = time.perf_counter()
    for _ in range(args.steps):
        step()
    elapsed = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.model} {args.mode} batch {args.batch_size} {args.image_size} px: "
          f"peak RSS {peak_mib:.0f} MiB, {args.steps * args.batch_size / elapsed:.1f} images/s")


if __name__ == "__main__":
    main()
