"""Execute notebooks end to end against a lake; the executed copies go to --out.

The sources in notebooks/ stay without outputs; each run writes fresh copies, so a cell
that raises stops the run with a nonzero exit (its notebook is still written, with the
traceback in the failing cell). Every notebook runs on an IPython kernel of this
interpreter (the project venv), whatever kernels Jupyter has installed elsewhere, in the
notebook's own folder as Jupyter would, with ECOM_LAKE set to the lake.

    .venv/bin/python scripts/run_notebooks.py --lake data/lake --out data/notebooks
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from traitlets import default

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
CELL_TIMEOUT = 600


class ThisInterpreter(KernelSpecManager):
    """Any kernel name resolves to an IPython kernel of the running interpreter."""

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())


class LocalKernel(KernelManager):
    """The kernel manager of every run: its kernels are of this interpreter."""

    @default("kernel_spec_manager")
    def _this_interpreter(self) -> KernelSpecManager:
        return ThisInterpreter(data_dir=self.data_dir)


def execute(notebook: Path, out: Path) -> Path:
    """Run every cell of one notebook; the executed copy's path (CellExecutionError on a
    cell that raises, after writing the copy)."""
    document = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        document,
        kernel_manager_class=LocalKernel,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    executed = out / notebook.name
    try:
        client.execute()
    finally:
        nbformat.write(document, executed)
    return executed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--lake", default=os.environ.get("ECOM_LAKE", "data/lake"))
    parser.add_argument("--out", type=Path, default=Path("data/notebooks"))
    args = parser.parse_args(argv)

    lake = Path(args.lake).resolve()
    if not (lake / "curated" / "_current.json").is_file():
        print(f"no pipeline run in {lake}: run `make demo` first", file=sys.stderr)
        return 2
    os.environ["ECOM_LAKE"] = str(lake)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = []
    for notebook in args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb")):
        started = time.monotonic()
        try:
            executed = execute(notebook.resolve(), args.out)
        except CellExecutionError as error:
            failed.append(notebook.name)
            print(f"{notebook.name}: a cell failed (see {args.out / notebook.name})\n{error}")
            continue
        print(f"{notebook.name}: ran in {time.monotonic() - started:.1f}s → {executed}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
