"""A small numpy project for the readiness report tests: safe, unsafe and manual findings at numpy 2.0,
and one call (``newshape=``) that only the 2.1 release deprecates."""

from __future__ import annotations

from pathlib import Path

FILES = {
    "pkg/integrate.py": "import numpy as np\n\ndef area(y, x):\n    return np.trapz(y, x)\n",
    "pkg/sets.py": "import numpy as np\n\ndef member(a, b):\n    return np.in1d(a, b)\n",
    "pkg/show.py": "import numpy as np\n\ndef show(a):\n    np.disp(a)\n    return np.trapz(a)\n",
    "pkg/shape.py": "import numpy as np\n\ndef flat(a):\n    return np.reshape(a, newshape=(-1,))\n",
    "pkg/clean.py": "def nothing():\n    return 1\n",
}


def make_project(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n", encoding="utf-8")
    return root / "pkg"
