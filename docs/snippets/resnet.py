import torch

import cnnref

model = cnnref.create_model("resnet50").eval()
with torch.no_grad():
    logits = model(torch.randn(1, 3, 224, 224))
print(logits.shape)

block = model.layer2[0]  # the first bottleneck of conv3_x halves the resolution
print("paper:      ", block.conv1.stride, block.conv2.stride)  # stride on the first 1x1
v15 = cnnref.create_model("resnet50_tv").layer2[0]
print("torchvision:", v15.conv1.stride, v15.conv2.stride)  # stride on the 3x3
