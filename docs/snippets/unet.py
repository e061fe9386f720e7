import torch

import cnnref
from cnnref.models.unet import UNet

model = cnnref.create_model("unet").eval()  # 1 input channel, 2 classes, unpadded convs
print(model.output_size(572))  # the paper's tile: 572 in, 388 out
print(UNet.valid_input_sizes(180, 260))  # tile sizes that work

with torch.no_grad():
    scores = model(torch.randn(1, 1, 188, 188))  # the smallest tile
print(scores.shape)  # (N, classes, H - 184, W - 184)
