import torch

import cnnref
from cnnref.models.lenet import C3_CONNECTIONS

model = cnnref.create_model("lenet5").eval()  # the paper's network, 10 RBF outputs
digits = torch.randn(4, 1, 32, 32)  # a batch of 32x32 grey images
with torch.no_grad():
    scores = model(digits)  # negative RBF distances: the largest score wins
print(scores.shape)

# C3 reads only some of S2's six maps (Table I):
for c3_map in (0, 6, 15):
    print(f"C3 map {c3_map} reads S2 maps {C3_CONNECTIONS[c3_map]}")
