"""The Python distributions installed where a run happens, as corpus repositories (read there, never shipped).

The GPU machine holds a few hundred MB of permissively licensed Python (PyTorch, JAX, NumPy, SciPy, …)
that cannot travel to it within a call's size limit but is free to read there. Each installed
distribution becomes one repository `pypi/NAME` of its `.py` files, under corpus.py's rules: its license
from the distribution's METADATA must be permissive (corpus.expression_permissive), files pass the same
filters (corpus.read_code), and exact duplicates of files already in the corpus, of held-out or
benchmark files (their content hashes) and of earlier distributions' files are dropped. Distributions come
dependencies first, files ordered after the local files they import, as corpus.py orders repositories.
Only a manifest (name, version, license, files, bytes) leaves the machine, in the run's log.
"""
from __future__ import annotations

import importlib.metadata as md
import re
import time
from multiprocessing import get_context
from pathlib import Path

from corpus import HELDOUT, SKIP_DIRS, Drops, Repo, content_hash, expression_permissive, order_files, read_code, \
    topo_order

# Distributions that are held-out or benchmark code under another name, or a near copy of it: their files
# would differ from the held-out copies (other versions), so exact dedup alone would let them through.
KEEP_OUT = {name.removeprefix("debian/python3-") for name in HELDOUT if name.startswith("debian/python3-")} | {
    "fs",  # Debian python3-fs: the repository benchmark's Python repository
    "simplejson",  # the upstream of the standard library's json package, which is held out (cpython/json)
}

# Trove classifiers (`License :: OSI Approved :: …`) as the names corpus.PERMISSIVE knows.
CLASSIFIER_NAMES = {
    "MIT License": "MIT",
    "BSD License": "BSD",
    "Apache Software License": "Apache-2.0",
    "Python Software Foundation License": "PSF-2.0",
    "ISC License (ISCL)": "ISC",
    "The Unlicense (Unlicense)": "Unlicense",
    "zlib/libpng License": "Zlib",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "Public Domain": "public-domain",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}


def normalized(name: str) -> str:
    """PEP 503's normalized project name: `Charset_Normalizer` and `charset-normalizer` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def distribution_license(meta) -> str:
    """The license a distribution declares: License-Expression (SPDX, PEP 639) when present, else its license
    classifiers (all of them must be permissive: several mean parts under each, or a choice we can't tell
    apart), else a one-line License field; "unknown" when none says."""
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return expression
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::") and c.strip() != "License :: OSI Approved"]
    if classifiers:
        return " AND ".join(CLASSIFIER_NAMES.get(c, c) for c in classifiers)
    field = (meta.get("License") or "").strip()
    if field and "\n" not in field and len(field) <= 60:
        return field
    return "unknown"


def distribution_files(dist: md.Distribution) -> tuple[Path, list[Path]]:
    """The site folder and the distribution's .py files in it: from its RECORD (or installed-files.txt) when it
    has one; else (Debian strips RECORD) the modules and packages top_level.txt names, or its own name."""
    site = Path(dist.locate_file("")).resolve()
    listed = dist.files
    if listed is not None:
        paths = [Path(dist.locate_file(f)).resolve() for f in listed if str(f).endswith(".py")]
    else:
        tops = (dist.read_text("top_level.txt") or "").split() or [normalized(dist.metadata["Name"]).replace("-", "_")]
        paths = []
        for top in tops:
            if (site / top).is_dir():
                paths += sorted((site / top).rglob("*.py"))
            elif (site / f"{top}.py").is_file():
                paths.append(site / f"{top}.py")
    inside = [p for p in paths if p.is_relative_to(site) and p.is_file()
              and not any(part in SKIP_DIRS or part.startswith(".") for part in p.relative_to(site).parts[:-1])]
    return site, sorted(set(inside))


def list_distributions(paths: list[str] | None, drops: Drops) -> list[dict]:
    """Installed distributions (on sys.path, or in `paths`), first of each name, keep-out and non-permissive ones
    counted and left out: [{name, version, license, requires, site, files}]."""
    found, seen = [], set()
    for dist in md.distributions(**({"path": paths} if paths else {})):
        name = normalized(dist.metadata["Name"] or "")
        if not name or name in seen:
            continue
        seen.add(name)
        if name in KEEP_OUT:
            drops.add("distribution-kept-out")
            continue
        lic = distribution_license(dist.metadata)
        if not expression_permissive(lic):
            drops.add("distribution-license-not-permissive")
            continue
        site, files = distribution_files(dist)
        if not files:
            drops.add("distribution-without-python")
            continue
        requires = [normalized(re.split(r"[\s;<>=!~\[(]", r, maxsplit=1)[0]) for r in dist.requires or []
                    if "extra ==" not in r]
        found.append({"name": name, "version": dist.version, "license": lic, "requires": requires,
                      "site": str(site), "files": [str(f) for f in files]})
    return found


DISTS: list[dict] = []  # set before the pool forks


def _read_dist(i: int) -> tuple[list[tuple[str, str, str]], dict[str, int], dict]:
    """One distribution's kept files as (path in the site folder, text, content hash), its drop counts, and
    what reading cost (bytes of .py read, CPU seconds)."""
    t = time.process_time()
    d, drops, out, read = DISTS[i], Drops(), [], 0
    site = Path(d["site"])
    for f in d["files"]:
        text = read_code(Path(f), drops)
        read += Path(f).stat().st_size
        if text is not None:
            out.append((str(Path(f).relative_to(site)), text.replace("\r\n", "\n"), content_hash(text)))
    return out, drops.counts, {"read_bytes": read, "cpu_seconds": time.process_time() - t}


def site_packages_repos(paths: list[str] | None, seen: set[str], workers: int,
                        max_mb: float | None = None) -> tuple[list[dict], dict]:
    """Repositories {name, split, license, files} of the installed distributions, deduplicated against `seen`
    (the corpus's and the keep-out content hashes; extended with each file kept), and their manifest."""
    global DISTS
    drops = Drops()
    t = time.time()
    dists = list_distributions(paths, drops)
    listing_seconds = time.time() - t
    by_name = {d["name"]: d for d in dists}
    order = topo_order(sorted(by_name), lambda n: [r for r in by_name[n]["requires"] if r in by_name]
                       if n in by_name else [])
    DISTS = [by_name[n] for n in order]
    repos, manifest, total, cost = [], [], 0, {"read_bytes": 0, "cpu_seconds": 0.0}
    with get_context("fork").Pool(workers) as pool:
        for d, (files, counts, spent) in zip(DISTS, pool.imap(_read_dist, range(len(DISTS)), chunksize=1)):
            for k in cost:
                cost[k] += spent[k]
            for reason, n in counts.items():
                drops.counts[reason] = drops.counts.get(reason, 0) + n
            repo = Repo(f"pypi/{d['name']}", "installed Python distribution", d["license"], d["version"])
            for path, text, key in files:
                if key in seen:
                    drops.add("duplicate")
                    continue
                seen.add(key)
                repo.files.append((path, text))
            size = sum(len(t) for _, t in repo.files)
            if not repo.files:
                continue
            if max_mb is not None and total + size > max_mb * 1e6:
                drops.add("over-site-packages-budget")
                break  # a dry run's cap: the pool's other reads are cut short here
            repo.files = order_files(repo.files)
            total += size
            repos.append({"name": repo.name, "split": "train", "license": repo.license, "version": repo.version,
                          "files": repo.files})
            manifest.append({"name": d["name"], "version": d["version"], "license": d["license"],
                             "files": len(repo.files), "bytes": size})
    DISTS = []
    return repos, {"distributions": manifest, "dropped": dict(sorted(drops.counts.items())), "bytes": total,
                   "files": sum(m["files"] for m in manifest), "read_bytes": cost["read_bytes"],
                   "worker_cpu_seconds": round(cost["cpu_seconds"], 2), "listing_seconds": round(listing_seconds, 2)}
