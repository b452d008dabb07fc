"""Pull benchmark: ``trialgraph pull`` of N studies from the fixture API v2 server.

The fixture (the test suite's, :mod:`tests.flows.test_api_pull`) serves N studies recombined
from the corpus's API v2 JSON (each corpus study copied with new NCT ids) on 127.0.0.1 with
the API's paging. Measured: a first pull into an empty store, then a pull after every study
changed (a new ``LastUpdatePostDate`` and title), each as the wall time of the command, the
time the fixture spent answering, and the ingest's own time from the command's summary.
The real API's latency is not measured here. With ``--store``, both pulls go into a copy
of that store (a kept ``bench/ingest.py --keep-store`` store), so that the second measures
N changed studies in a store of that size::

    python bench/pull.py --n 1000 --workdir /tmp/trialgraph-bench
    python bench/pull.py --n 2000 --store /tmp/trialgraph-bench/ingested-store-600000
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import subprocess
import sys
import threading
import time
from datetime import date
from http.server import HTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.flows.test_api_pull import STUDIES, FixtureApi, _handler  # noqa: E402

TRIALGRAPH = Path(sys.executable).with_name("trialgraph")


def studies(n: int) -> list[dict[str, Any]]:
    """``n`` studies: the corpus's, copied with NCT ids of their own."""
    out = []
    for i in range(n):
        study = copy.deepcopy(STUDIES[i % len(STUDIES)])
        study["protocolSection"]["identificationModule"]["nctId"] = f"NCT9{i:07d}"
        out.append(study)
    return out


def changed(study: dict[str, Any], updated: date) -> None:
    section = study["protocolSection"]
    section["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated.isoformat()
    section["identificationModule"]["briefTitle"] += " (changed)"


def pull(url: str, workdir: Path) -> tuple[float, float | None]:
    """Wall seconds of one ``trialgraph pull``, and the ingest's own seconds it reports."""
    command = [str(TRIALGRAPH), "pull", "--api-url", url, "--store", str(workdir / "store")]
    command += ["--landing", str(workdir / "landing"), "--interval", "0", "--no-progress"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=True)
    wall = time.perf_counter() - started
    found = re.search(r"time: +([\d.]+) s", done.stdout)
    return wall, float(found.group(1)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/trialgraph-bench"))
    parser.add_argument(
        "--store", type=Path, help="pull into a copy of this store instead of an empty one"
    )
    args = parser.parse_args()
    workdir = args.workdir / f"pull-{args.n}"
    subprocess.run(["rm", "-rf", str(workdir)], check=True)
    workdir.mkdir(parents=True)
    if args.store is not None:
        if not (args.store / "CURRENT").exists():
            parser.error(f"{args.store} is not an Oxigraph store")
        subprocess.run(["cp", "-r", str(args.store), str(workdir / "store")], check=True)
    fixture = FixtureApi(studies(args.n), max_page=1000)
    served = [0.0]
    handler = _handler(fixture)

    class Timed(handler):  # type: ignore[misc,valid-type]
        def do_GET(self) -> None:
            t0 = time.perf_counter()
            super().do_GET()
            served[0] += time.perf_counter() - t0

    server = HTTPServer(("127.0.0.1", 0), Timed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/v2"
    try:
        for name in ("first pull", "all changed"):
            if name == "all changed":
                for study in fixture.studies.values():
                    changed(study, date(2030, 1, 1))
            served[0] = 0.0
            wall, ingest = pull(url, workdir)
            print(
                json.dumps(
                    {
                        "n": args.n,
                        "into": str(args.store) if args.store else "empty store",
                        "run": name,
                        "wall_s": round(wall, 2),
                        "server_s": round(served[0], 2),
                        "ingest_s": ingest,
                    }
                )
            )
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
