"""A stand-in for onnxruntime (not packaged for Debian) for running docs/export.md's snippet as written.

InferenceSession reads the metadata from the .onnx file with the onnx package and computes the logits with PyTorch
from the model.pt exported beside it (the same network), applying what the graph's first nodes apply: the input is
RGB in [0, 1]; pixels = input x 255 in the model's channel order, x scale, - mean, / std. Seed CNN only (the network
docs/export.md writes out for it).
"""
import json
import os

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeedCnn(nn.Module):
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


class ModelMetadata:
    def __init__(self, custom_metadata_map):
        self.custom_metadata_map = custom_metadata_map


class InferenceSession:
    def __init__(self, path):
        self._meta = {p.key: p.value for p in onnx.load(path).metadata_props}
        self._prep = json.loads(self._meta["preprocessing"])
        checkpoint = torch.load(os.path.join(os.path.dirname(os.path.abspath(path)), "model.pt"), weights_only=True)
        self._network = SeedCnn(len(json.loads(self._meta["class_names"])), self._prep["image_size"])
        self._network.load_state_dict(checkpoint["state_dict"], strict=True)
        self._network.eval()

    def get_modelmeta(self):
        return ModelMetadata(self._meta)

    def run(self, output_names, feeds):
        if output_names != ["logits"] or list(feeds) != ["input"]:
            raise ValueError(f"the stand-in answers logits for input only, not {output_names} for {list(feeds)}")
        x = torch.from_numpy(feeds["input"].copy()) * 255
        if self._prep["channel_order"] == "BGR":
            x = x[:, [2, 1, 0]]
        mean = torch.tensor(self._prep["mean"]).view(1, 3, 1, 1)
        std = torch.tensor(self._prep["std"]).view(1, 3, 1, 1)
        with torch.no_grad():
            return [self._network((x * self._prep["scale"] - mean) / std).numpy()]
