import torch

import cnnref

model = cnnref.create_model("attention56").eval()
with torch.no_grad():
    logits = model(torch.randn(1, 3, 224, 224))
print(logits.shape)

modules = [n for n, m in model.named_modules() if type(m).__name__ == "AttentionModule"]
print(len(modules), "attention modules:", modules)
