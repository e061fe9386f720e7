import torch

import cnnref

model = cnnref.create_model("alexnet").eval()  # the paper's two-tower network
with torch.no_grad():
    logits = model(torch.randn(2, 3, 224, 224))
print(logits.shape)

# The two GPUs of 2012 are grouped convolutions here: conv2 has two groups of 48 input maps.
print(model.conv1)
print(model.conv2)
