import torch

from cnnref.metrics import topk_error

# Scores of 4 images (rows) for 6 classes (columns), and each image's true class.
scores = torch.tensor(
    [
        [0.1, 3.0, 0.2, 0.0, 0.5, 0.3],  # true class 1 has the highest score
        [2.0, 1.5, 0.1, 0.3, 0.2, 0.0],  # true class 1 is second
        [0.2, 0.1, 0.3, 2.5, 0.4, 0.6],  # true class 3 is first
        [1.0, 0.9, 0.8, 0.7, 0.6, 0.1],  # true class 5 is last
    ]
)
targets = torch.tensor([1, 1, 3, 5])

print("top-1 error:", topk_error(scores, targets, k=1))  # images 1 and 3 missed: 2 / 4
print("top-5 error:", topk_error(scores, targets, k=5))  # image 3 missed: 1 / 4
