import torch

import cnnref
from cnnref.models.vgg import parameter_breakdown

model = cnnref.create_model("vgg16").eval()  # configuration D
with torch.no_grad():
    logits = model(torch.randn(1, 3, 224, 224))
print(logits.shape)

counts = parameter_breakdown(model)  # layer name -> parameters, in network order
conv = sum(n for name, n in counts.items() if name.startswith("conv"))
fc = sum(n for name, n in counts.items() if name.startswith("fc"))
print(f"convolutions {conv:,}, fully connected {fc:,}, total {conv + fc:,}")
print(f"fc6 alone: {counts['fc6']:,} ({counts['fc6'] / (conv + fc):.0%})")
