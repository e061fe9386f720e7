"""ImageNet / ILSVRC figures the site quotes, each with its source.

The classification data of the ImageNet Large Scale Visual Recognition Challenge (ILSVRC) was
the same from 2012 to 2014: 1000 classes, about 1.28 million training images. (The lecture
outline this project grew from says "20,000 images"; that is wrong by a factor of about 64.)
The architectures' own results live on their registry cards (`cnnref.get_card(name).results`);
this module holds the figures that belong to no architecture: the dataset, the human error, and
the challenge's classification winners year by year (`TIMELINE`), whose figures live here unless
a registered model's card already holds them (`Entry.card`).

Example:
    >>> from cnnref import ilsvrc
    >>> ilsvrc.SPLITS["train"], ilsvrc.NUM_CLASSES
    (1281167, 1000)
    >>> ilsvrc.HUMAN.value
    5.1
    >>> [e.year for e in ilsvrc.TIMELINE if e.place == 1 and not e.cnn]
    [2010, 2011]
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnref.registry import Paper, Result

__all__ = [
    "DATASET_PAPER",
    "DATASET_SOURCE",
    "DATA_YEARS",
    "GOOGLENET_ON_HUMAN_IMAGES",
    "HUMAN",
    "HUMAN_STUDY",
    "HUMAN_URL",
    "NUM_CLASSES",
    "OUTLINE_IMAGES",
    "SPLITS",
    "TIMELINE",
    "Entry",
    "results_url",
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

# The study behind the human figure: Russakovsky et al., IJCV 2015, §6.4 and Table 6.
HUMAN_STUDY = Result(
    benchmark="ILSVRC 2012-2014 classification test set, 1,500 images",
    metric="top-5 error",
    value=5.1,
    setting=(
        "one expert annotator (A1), who trained on 500 images first and labelled about one "
        "image a minute; a second annotator (A2), trained on 100 images, made 12.0 % on 258 "
        "images; GoogLeNet made 6.8 % on A1's images"
    ),
    source="Russakovsky et al., IJCV 2015, §6.4, Table 6",
)


def results_url(year: int) -> str:
    """The organisers' results page of one year's challenge.

    Example:
        >>> from cnnref.ilsvrc import results_url
        >>> results_url(2013)
        'https://image-net.org/challenges/LSVRC/2013/results.php'
    """
    return f"https://image-net.org/challenges/LSVRC/{year}/results.php"


@dataclass(frozen=True)
class Entry:
    """One classification entry of the challenge: a winner, or the 2012 runner-up.

    Attributes:
        year: The challenge's year.
        place: 1 for the winner, 2 for the runner-up.
        team: The team's name as the results page gives it.
        method: What the entry was, in a few words.
        cnn: Whether the entry was a convolutional network.
        top5: Top-5 error on the challenge's test set, in percent, as the results page gives
            it (`None` where a registered model's card holds the figure: see `card`).
        setting: How the figure was obtained (ensemble, extra data).
        source: Where the figure comes from.
        card: The registered model whose card's headline is this entry's figure, if any
            (the figure then lives on the card, once).
        family: The cnnref family that implements the entry's network, if any.
    """

    year: int
    place: int
    team: str
    method: str
    cnn: bool
    top5: float | None
    setting: str
    source: str
    card: str | None = None
    family: str | None = None


_PAGE = "ILSVRC {year} results page"
# Every classification winner 2010-2017, and the 2012 runner-up (the best entry without a CNN
# that year). 2010 and 2011 had data of their own (Russakovsky et al., IJCV 2015, Table 2), so
# their figures compare only roughly with those of the later years.
TIMELINE: tuple[Entry, ...] = (
    Entry(
        2010,
        1,
        "NEC-UIUC",
        "SIFT and LBP features, two non-linear coding representations, a stochastic SVM",
        cnn=False,
        top5=28.191,
        setting="test set, ILSVRC 2010 data; the organisers' flat cost 0.28191",
        source=_PAGE.format(year=2010),
    ),
    Entry(
        2011,
        1,
        "XRCE",
        "Fisher vectors of local descriptors, linear classifiers",
        cnn=False,
        top5=25.770,
        setting="test set, ILSVRC 2011 data; flat cost 0.25770",
        source=_PAGE.format(year=2011),
    ),
    Entry(
        2012,
        1,
        "SuperVision",
        "AlexNet: 7 CNNs averaged, 2 pre-trained on the ImageNet Fall 2011 release",
        cnn=True,
        top5=None,
        setting="test set; 16.4 % (16.422) with the provided training data only",
        source=_PAGE.format(year=2012),
        card="alexnet",
        family="alexnet",
    ),
    Entry(
        2012,
        2,
        "ISI",
        "Fisher vectors of SIFT, LBP, GIST and colour SIFT, linear classifiers",
        cnn=False,
        top5=26.172,
        setting="test set; 2nd place, the best entry without a CNN (26.2 % in Zeiler & "
        "Fergus 2014, Table 2)",
        source=_PAGE.format(year=2012),
    ),
    Entry(
        2013,
        1,
        "Clarifai",
        "several CNNs averaged (the team of M. Zeiler, first author of ZFNet)",
        cnn=True,
        top5=11.743,
        setting="test set, provided training data only; 11.197 % with extra training data",
        source=_PAGE.format(year=2013),
        family="zfnet",
    ),
    Entry(
        2014,
        1,
        "GoogLeNet",
        "7 GoogLeNets averaged, 144 crops per image",
        cnn=True,
        top5=None,
        setting="test set",
        source=_PAGE.format(year=2014),
        card="googlenet",
        family="googlenet",
    ),
    Entry(
        2015,
        1,
        "MSRA",
        "an ensemble of ResNets of different depths",
        cnn=True,
        top5=None,
        setting="test set",
        source=_PAGE.format(year=2015),
        card="resnet152",
        family="resnet",
    ),
    Entry(
        2016,
        1,
        "Trimps-Soushen",
        "an ensemble of CNNs",
        cnn=True,
        top5=2.991,
        setting="test set, ensemble",
        source=_PAGE.format(year=2016),
    ),
    Entry(
        2017,
        1,
        "WMW",
        "SENets (squeeze-and-excitation networks), SENet-154 among them, averaged",
        cnn=True,
        top5=None,
        setting="test set, ensemble",
        source=_PAGE.format(year=2017),
        card="senet154",
        family="senet",
    ),
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
