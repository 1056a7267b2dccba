"""Loads classify's pt, safetensors and onnx exports of one network in PyTorch and checks them.

Usage: pytorch_check.py MODEL.pt MODEL.safetensors MODEL.onnx INPUT.f32 EXPECTED.f32 BATCH SIDE
INPUT.f32 holds RGB values in [0, 1], [BATCH, 3, SIDE, SIDE] float32; EXPECTED.f32 TorchSharp's logits.
The state dicts are loaded strictly into the network the files name (torchvision_model), the input is prepared as
their preprocessing says, and the logits are compared. Prints one JSON line; exits non-zero on any failure.
"""
import json
import struct
import sys

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class SeedCnn(nn.Module):
    """classify's seed-cnn, as docs/export.md writes it."""

    def __init__(self, classes, image_size):
        super().__init__()
        self.conv1, self.conv2, self.conv3 = nn.Conv2d(3, 32, 3), nn.Conv2d(32, 64, 3), nn.Conv2d(64, 128, 3)
        side = image_size
        for _ in range(3):
            side = (side - 2) // 2
        self.fc1, self.fc2 = nn.Linear(128 * side * side, 512), nn.Linear(512, classes)

    def forward(self, x):
        for conv in (self.conv1, self.conv2, self.conv3):
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.fc2(F.relu(self.fc1(x.flatten(1))))


def read_safetensors(path):
    """The safetensors layout, read with torch alone (Debian packages no safetensors module)."""
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    meta = header.pop("__metadata__", {})
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtypes[entry["dtype"]]).reshape(entry["shape"])
    return tensors, meta


def build(meta, adjust=True):
    classes = json.loads(meta["class_names"])
    if meta["architecture"] == "seed-cnn":
        return SeedCnn(len(classes), json.loads(meta["preprocessing"])["image_size"])
    model = eval(meta["torchvision_model"], {"torchvision": torchvision})
    if adjust and "pytorch_adjustment" in meta:
        exec(meta["pytorch_adjustment"], {"torch": torch, "torchvision": torchvision, "model": model})
    return model


def network_input(rgb01, prep):
    """RGB in [0, 1] -> (pixels in channel_order x scale - mean) / std."""
    x = rgb01 * 255 * prep["scale"]
    if prep["channel_order"] == "BGR":
        x = x[:, [2, 1, 0]]
    mean = torch.tensor(prep["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(prep["std"]).view(1, 3, 1, 1)
    return (x - mean) / std


def logits(meta, state_dict, rgb01, adjust=True):
    model = build(meta, adjust)
    model.load_state_dict(state_dict, strict=True)
    model.eval()
    with torch.no_grad():
        return model(network_input(rgb01, json.loads(meta["preprocessing"])))


def main(pt, safetensors, onnx_path, input_path, expected_path, batch, side):
    torch.set_num_threads(1)
    batch, side = int(batch), int(side)
    rgb01 = torch.frombuffer(bytearray(open(input_path, "rb").read()), dtype=torch.float32).reshape(batch, 3, side, side)
    expected = torch.frombuffer(bytearray(open(expected_path, "rb").read()), dtype=torch.float32).reshape(batch, -1)
    result = {"torch": torch.__version__, "torchvision": torchvision.__version__}

    checkpoint = torch.load(pt, weights_only=True)
    meta = {k: v for k, v in checkpoint.items() if isinstance(v, str)}
    meta["class_names"] = json.dumps(checkpoint["class_names"])
    counters = [k for k in checkpoint["state_dict"] if k.endswith("num_batches_tracked")]
    if any(checkpoint["state_dict"][k].dtype != torch.int64 for k in counters):
        raise SystemExit("num_batches_tracked is not int64 in the pt file")
    result["pt_keys"] = len(checkpoint["state_dict"])
    # The order PyTorch's own state_dict() gives, so code that pairs two state dicts by position works.
    result["pt_keys_in_pytorch_order"] = list(checkpoint["state_dict"]) == list(build(meta).state_dict())
    result["pt_max_diff"] = float((logits(meta, checkpoint["state_dict"], rgb01) - expected).abs().max())
    if "pytorch_adjustment" in meta:
        result["pt_max_diff_without_adjustment"] = float((logits(meta, checkpoint["state_dict"], rgb01, False) - expected).abs().max())

    tensors, st_meta = read_safetensors(safetensors)
    result["safetensors_max_diff"] = float((logits(st_meta, tensors, rgb01) - expected).abs().max())

    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    result["onnx_opset"] = model.opset_import[0].version
    result["onnx_outputs"] = [o.name for o in inferred.graph.output]
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
