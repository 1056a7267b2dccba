"""PyTorch's speed on the three transfer-learning modes, the reference for `classify benchmark --model NAME`.

Usage: /usr/bin/python3 pytorch_speed.py [--model resnet18] [--image-size 224] [--batch-size 32] [--threads 2]
                                         [--seconds 20] [--mode all|inference|frozen|finetune] [--precision fp32|bf16]
                                         [--json]

Synthetic batches (random pixels already as float NCHW tensors, no decoding), a torchvision network with random
weights, `--threads` intra-op threads. Each mode runs in its own process, so each peak RSS is that mode's alone:
- inference: model.eval() under torch.no_grad();
- frozen:    the backbone frozen (requires_grad False, eval mode, as classify's --freeze backbone), only the
             classifier layer trained with Adam; every step runs the forward pass through the backbone, as a
             PyTorch user training a head would;
- finetune:  full fine-tuning, every parameter trained with Adam, model.train().
--precision bf16 runs each forward pass under torch.autocast("cpu", dtype=torch.bfloat16) (convolutions and matrix
products in bfloat16, weights, loss and optimizer state in fp32), the recipe `classify --precision bf16` follows.
After a warm-up of 3 steps, steps run for at least --seconds (and 5 steps); prints images/s and peak RSS per mode.
Debian 12: apt-get install python3-torch python3-torchvision.
"""
import argparse
import json
import resource
import subprocess
import sys
import time

MODES = ["inference", "frozen", "finetune"]


def head_parameters(model):
    """The classifier layer torchvision names for this family: fc for ResNets, classifier for MobileNets."""
    head = model.fc if hasattr(model, "fc") else model.classifier
    return head, list(head.parameters())


def measure(args):
    import torch
    import torchvision

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    model = getattr(torchvision.models, args.model)(num_classes=4)
    x = torch.rand(args.batch_size, 3, args.image_size, args.image_size)
    y = torch.arange(args.batch_size) % 4
    loss_fn = torch.nn.CrossEntropyLoss()

    def forward(inputs):
        """The network's logits, in fp32; under bf16 autocast when --precision bf16."""
        if args.precision == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = model(inputs)
            return out.float()
        return model(inputs)

    if args.mode == "inference":
        model.eval()

        def step():
            with torch.no_grad():
                forward(x).argmax(1)
    else:
        if args.mode == "frozen":
            head, trained = head_parameters(model)
            for p in model.parameters():
                p.requires_grad = False
            for p in trained:
                p.requires_grad = True
            model.eval()
            head.train()
        else:
            trained = list(model.parameters())
            model.train()
        optimizer = torch.optim.Adam(trained, lr=1e-3)

        def step():
            optimizer.zero_grad()
            loss = loss_fn(forward(x), y)
            loss.backward()
            optimizer.step()
            loss.item()

    for _ in range(3):
        step()
    steps, start = 0, time.perf_counter()
    while steps < 5 or time.perf_counter() - start < args.seconds:
        step()
        steps += 1
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "mode": args.mode, "precision": args.precision, "model": args.model, "image_size": args.image_size, "batch_size": args.batch_size,
        "threads": torch.get_num_threads(), "torch": torch.__version__, "steps": steps,
        "images_per_s": steps * args.batch_size / elapsed, "peak_rss_bytes": peak_kib * 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--mode", choices=["all"] + MODES, default="all")
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                        help="bf16: the forward pass under torch.autocast('cpu', dtype=torch.bfloat16)")
    parser.add_argument("--json", action="store_true", help="one JSON object per mode instead of the table")
    args = parser.parse_args()

    if args.mode != "all":
        print(json.dumps(measure(args)))
        return
    results = []
    for mode in MODES:
        command = [sys.executable, __file__, "--mode", mode, "--model", args.model, "--image-size", str(args.image_size),
                   "--batch-size", str(args.batch_size), "--threads", str(args.threads), "--seconds", str(args.seconds),
                   "--precision", args.precision]
        results.append(json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout))
        if args.json:
            print(json.dumps(results[-1]), flush=True)
    if not args.json:
        first = results[0]
        print(f"PyTorch {first['torch']}, {args.model}, {args.image_size} px, batch {args.batch_size}, {first['threads']} thread(s), "
              f"{args.precision}")
        for r in results:
            print(f"{r['mode']:<10} {r['images_per_s']:8.1f} img/s   peak RSS {r['peak_rss_bytes'] / 2**30:5.2f} GiB")


if __name__ == "__main__":
    main()
