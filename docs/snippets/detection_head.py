import torch

from cnnref.tasks.detection import DetectionHead

# YOLO v1: a 7x7 grid, B = 2 boxes per cell, C = 20 classes, on 1024 feature channels.
yolo = DetectionHead(in_features=1024, num_classes=20, boxes_per_cell=2)
grid = yolo(torch.randn(1, 1024, 7, 7))
print("YOLO v1 output:", tuple(grid.shape))  # (N, S, S, B*5 + C)

# The lecture's head: one box per cell, W x H x (5 + NumClass).
lecture = DetectionHead(in_features=1024, num_classes=20, boxes_per_cell=1)
print("one box per cell:", tuple(lecture(torch.randn(1, 1024, 7, 7)).shape))

boxes, classes = yolo.split(grid)  # (N, S, S, B, 5) and (N, S, S, C)
print("per box:", tuple(boxes.shape), "per cell classes:", tuple(classes.shape))

# Decode: boxes in image coordinates, score = confidence x class probability, then NMS.
found = yolo.decode(grid, score_threshold=0.05, iou_threshold=0.5)[0]  # untrained: noise
print(sorted(found), "boxes (cx, cy, w, h):", tuple(found["boxes"].shape))
