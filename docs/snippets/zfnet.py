import torch

import cnnref

model = cnnref.create_model("zfnet").eval()
with torch.no_grad():
    logits = model(torch.randn(1, 3, 224, 224))
print(logits.shape)

# Layer 1: 7x7 filters at stride 2 (AlexNet: 11x11 at stride 4); layer 2 convolves at stride 2.
print(model.conv1.kernel_size, model.conv1.stride, model.conv2.stride)

# §3 of the paper: after each update, scale back every filter whose RMS exceeds 0.1.
model.train()
optimiser = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
loss = model(torch.randn(2, 3, 224, 224)).logsumexp(1).mean()
loss.backward()
optimiser.step()
print("filters rescaled:", model.renormalize_filters())  # none yet: they start near RMS 0.01
