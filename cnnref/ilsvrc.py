"""ImageNet / ILSVRC figures the site quotes, each with its source.

The classification data of the ImageNet Large Scale Visual Recognition Challenge (ILSVRC) was
the same from 2012 to 2014: 1000 classes, about 1.28 million training images. (The lecture
outline this project grew from says "20,000 images"; that is wrong by a factor of about 64.)
The architectures' own results live on their registry cards (`cnnref.get_card(name).results`);
this module holds the figures that belong to no architecture: the dataset and the human error.

Example:
    >>> from cnnref import ilsvrc
    >>> ilsvrc.SPLITS["train"], ilsvrc.NUM_CLASSES
    (1281167, 1000)
    >>> ilsvrc.HUMAN.value
    5.1
"""

from __future__ import annotations

from cnnref.registry import Paper, Result

__all__ = [
    "DATASET_PAPER",
    "DATASET_SOURCE",
    "DATA_YEARS",
    "GOOGLENET_ON_HUMAN_IMAGES",
    "HUMAN",
    "HUMAN_URL",
    "NUM_CLASSES",
    "OUTLINE_IMAGES",
    "SPLITS",
    "total_images",
]

DATASET_PAPER = Paper(
    title="ImageNet Large Scale Visual Recognition Challenge",
    authors="O. Russakovsky, J. Deng, H. Su, J. Krause, S. Satheesh, S. Ma, Z. Huang, "
    "A. Karpathy, A. Khosla, M. Bernstein, A. C. Berg, L. Fei-Fei",
    venue="IJCV 2015",
    year=2015,
    url="https://arxiv.org/abs/1409.0575",
)
DATASET_SOURCE = "Russakovsky et al., IJCV 2015, Table 2"

# The challenges that used this classification data: 2012, 2013 and 2014.
DATA_YEARS = (2012, 2014)
# Images per split of the ILSVRC 2012-2014 classification data.
SPLITS: dict[str, int] = {"train": 1_281_167, "val": 50_000, "test": 100_000}
NUM_CLASSES = 1000

# The lecture outline's figure for the dataset size: a known misconception, shown beside the
# real figures.
OUTLINE_IMAGES = 20_000

HUMAN_URL = (
    "https://karpathy.github.io/2014/09/02/"
    "what-i-learned-from-competing-against-a-convnet-on-imagenet/"
)
HUMAN = Result(
    benchmark="ILSVRC 2014 classification, 1,500 test images",
    metric="top-5 error",
    value=5.1,
    setting="one trained human annotator (A. Karpathy), about 5.1 %",
    source="karpathy.github.io, 2014-09-02",
)
GOOGLENET_ON_HUMAN_IMAGES = Result(
    benchmark="ILSVRC 2014 classification, the same 1,500 test images",
    metric="top-5 error",
    value=6.8,
    setting="GoogLeNet on the images the human labelled",
    source="karpathy.github.io, 2014-09-02",
)


def total_images() -> int:
    """Images in all three splits together.

    Returns:
        The sum of `SPLITS`.

    Example:
        >>> from cnnref.ilsvrc import total_images
        >>> total_images()
        1431167
    """
    return sum(SPLITS.values())
