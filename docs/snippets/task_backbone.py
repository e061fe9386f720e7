import torch
import torchvision

import cnnref

# A ResNet-18 classifier, here torchvision's with random weights; with
# weights="IMAGENET1K_V1" it would be the pretrained one (a download).
classifier = cnnref.from_torchvision("resnet18", torchvision.models.resnet18().state_dict())

model = cnnref.create_model("resnet18", task="segmentation", num_classes=2)
model.load_backbone(classifier.state_dict())  # every layer but the classifier's fc
print(torch.equal(model.backbone.conv1.weight, classifier.conv1.weight))  # True
print(model.backbone.fc)  # None: the task model has no classifier to carry
