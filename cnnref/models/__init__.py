"""The architectures, one paper per file; importing this package registers every builder."""

from cnnref.models import alexnet, attention, googlenet, lenet, resnet, unet, vgg

__all__ = ["alexnet", "attention", "googlenet", "lenet", "resnet", "unet", "vgg"]
