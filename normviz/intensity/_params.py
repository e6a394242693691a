"""A technique's parameters as a user sets them: type, range, step, default, label and help.

Each :class:`~normviz.intensity.Technique` lists its :class:`ParamSpec` records; the image
page's controls, its URL parameters (:mod:`normviz.image_links`) and the tests all read them,
so a range or a default has one home.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = ["KINDS", "WIDGETS", "ParamSpec"]

KINDS = ("choice", "bool", "int", "float", "pair")
"""Value types, as :class:`normviz.links.Param` names them: one of ``choices``; on/off; an int
or a float in ``[lo, hi]``; an ordered pair of floats ``lo <= a <= b <= hi``."""

WIDGETS = ("slider", "number", "toggle", "segmented", "select")
"""How the page shows a parameter: a slider (int, float or pair), a number box (float), a toggle
(bool), a segmented control (a few choices) or a select box (choices known only per image)."""


class ParamSpec(NamedTuple):
    """One parameter of a technique, as a user sets it.

    Attributes
    ----------
    name : str
        The keyword of the technique (when ``arg``) and the URL key.
    kind : {"choice", "bool", "int", "float", "pair"}
    default : Any
        The default; None when the image decides (see ``default_text``). For an ``arg``
        parameter it is the technique's default keyword value.
    lo, hi : float or None
        Inclusive range of an int, float or pair (the widget's and the URL's).
    step : float or None
        The widget's step.
    label, help : str
        The widget's label and its one-sentence help.
    widget : str
        One of :data:`WIDGETS`.
    choices : tuple
        Allowed values of a "choice" (empty when they depend on the image, e.g. references).
    choice_labels : mapping
        Display label of each choice (default: the value with "_" as spaces).
    colour_only : tuple or bool
        For a bool: True if it means nothing for a grey image (hidden and off there). For a
        choice: the values that need a colour image.
    why : str
        Why a value was replaced for this image (the end of a link message).
    when : mapping of str to tuple
        Applies only when each named earlier parameter of the same technique has one of the
        listed values (e.g. ``q`` only when ``bounds`` is "percentiles").
    key : str
        Suffix of the widget's session key (default: ``name``).
    default_text : str
        How a message names a None default ("the image's lowest display value").
    arg : bool
        A keyword argument of the technique's function (else the page turns it into one).
    """

    name: str
    kind: str
    default: Any = None
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    label: str = ""
    help: str = ""
    widget: str = "slider"
    choices: tuple[Any, ...] = ()
    choice_labels: Mapping[Any, str] = {}
    colour_only: tuple[Any, ...] | bool = False
    why: str = ""
    when: Mapping[str, tuple[Any, ...]] = {}
    key: str = ""
    default_text: str = ""
    arg: bool = True

    @property
    def widget_key(self) -> str:
        """The widget key's suffix: ``key`` or ``name``."""
        return self.key or self.name

    def label_of(self, choice: Any) -> str:
        """Return the display label of ``choice``.

        Examples
        --------
        >>> ParamSpec("mode", "choice", "per_channel", choices=("per_channel",)).label_of(
        ...     "per_channel")
        'per channel'
        """
        return self.choice_labels.get(choice, str(choice).replace("_", " "))

    def applies(self, values: Mapping[str, Any]) -> bool:
        """Return True if every condition of ``when`` holds in ``values`` (this technique's values).

        Examples
        --------
        >>> q = ParamSpec("q", "pair", (1.0, 99.0), when={"bounds": ("percentiles",)})
        >>> q.applies({"bounds": "percentiles"}), q.applies({"bounds": "manual"})
        (True, False)
        """
        return all(values.get(name) in allowed for name, allowed in self.when.items())
