import torch

import cnnref

model = cnnref.create_model("googlenet")
x = torch.randn(2, 3, 224, 224)

model.train()
outputs = model(x)  # GoogLeNetOutputs(logits, aux_logits2, aux_logits1)
print([tuple(o.shape) for o in outputs])

model.eval()
with torch.no_grad():
    print(model(x).shape)  # the auxiliary classifiers do not run
