import torch
import torchinfo

import cnnref

print(cnnref.list_models("resnet"))

model = cnnref.create_model("resnet18").eval()
with torch.no_grad():
    logits = model(torch.randn(1, 3, 224, 224))
print(logits.shape)

torchinfo.summary(
    model, input_size=(1, 3, 224, 224), depth=1, col_names=("output_size", "num_params")
)
