import torch

import cnnref

model = cnnref.create_model("resnet18", task="detection", num_classes=3).eval()
with torch.no_grad():
    print(model(torch.randn(1, 3, 224, 224)).shape)  # a 7x7 grid, 5 + 3 numbers per cell
