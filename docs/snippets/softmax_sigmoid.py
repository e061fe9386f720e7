import torch

from cnnref.tasks.classification import activation

logits = torch.tensor([[2.0, 1.0, -1.0]])  # one image, three classes

single = activation(logits)  # softmax: the classes compete
multi = activation(logits, multi_label=True)  # sigmoid: each class on its own
print("softmax:", single, "sum", round(single.sum().item(), 4))
print("sigmoid:", multi)
