import torch

import cnnref
from cnnref.models.senet import SENet

model = cnnref.create_model("se_resnet50").eval()
with torch.no_grad():
    logits = model(torch.randn(1, 3, 224, 224))
print(logits.shape)

# The SE block of the first bottleneck: one weight in (0, 1) per channel, from the image.
block = model.layer1[0]
with torch.no_grad():
    u = torch.randn(1, 256, 56, 56)
    print(block.se.weights(u).flatten()[:4])

# The same network without SE blocks is ResNet-50 with its stride on the first 1x1.
base = SENet("se_resnet50", se=False)
extra = sum(p.numel() for p in model.parameters()) - sum(p.numel() for p in base.parameters())
print(f"the SE blocks add {extra:,} parameters")
