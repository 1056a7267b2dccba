"""A PyTorch user loading `classify export` files of a torchvision network: the class a user would build by hand.

Usage: pytorch_cli_check.py ARCHITECTURE MODEL.pt MODEL.safetensors IMAGE...
Builds torchvision.models.ARCHITECTURE(num_classes=K), K from the file's class_names, runs the file's
pytorch_adjustment when it has one, loads each state dict strictly, decodes the images with PIL (they are PNGs at
the model's input size, so no resizing), normalises them as the file's preprocessing says and prints one JSON object:
{"pt": [[p per class] per image], "safetensors": [...], "class_names": [...], "keys": state-dict key count}.
"""
import json
import sys

import numpy
import torch
import torchvision
from PIL import Image

from pytorch_check import read_safetensors


def probabilities(architecture, meta, classes, state_dict, images):
    model = getattr(torchvision.models, architecture)(num_classes=classes)
    if "pytorch_adjustment" in meta:
        exec(meta["pytorch_adjustment"], {"torch": torch, "torchvision": torchvision, "model": model})
    model.load_state_dict(state_dict, strict=True)
    model.eval()
    prep = json.loads(meta["preprocessing"])
    x = images * 255 * prep["scale"]
    if prep["channel_order"] == "BGR":
        x = x[:, [2, 1, 0]]
    x = (x - torch.tensor(prep["mean"]).view(1, 3, 1, 1)) / torch.tensor(prep["std"]).view(1, 3, 1, 1)
    with torch.no_grad():
        return model(x).softmax(1).tolist()


def main(architecture, pt, safetensors, *paths):
    torch.set_num_threads(1)
    images = torch.stack([torch.from_numpy(numpy.asarray(Image.open(p).convert("RGB"), dtype=numpy.float32) / 255).permute(2, 0, 1)
                          for p in paths])
    checkpoint = torch.load(pt, weights_only=True)
    meta = {k: v for k, v in checkpoint.items() if isinstance(v, str)}
    classes = len(checkpoint["class_names"])
    result = {"class_names": checkpoint["class_names"], "keys": len(checkpoint["state_dict"]),
              "pt": probabilities(architecture, meta, classes, checkpoint["state_dict"], images)}
    tensors, st_meta = read_safetensors(safetensors)
    result["safetensors"] = probabilities(architecture, st_meta, len(json.loads(st_meta["class_names"])), tensors, images)
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
