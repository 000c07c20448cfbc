"""A PEP 517 build backend for the pure-Python package jepa_verify, in the tree so that no build tool is downloaded.

It writes a py3-none-any wheel (the package's .py files and the dist-info METADATA, WHEEL and RECORD the wheel format
needs) and an sdist (the tree as a .tar.gz). Written by hand because setuptools or flit would have to be fetched from
PyPI into pip's isolated build environment, which an offline machine cannot do.
"""
import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "jepa_verify"
DIST = "jepa_verify"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METADATA = f"""Metadata-Version: 2.1
Name: jepa-verify
Version: {VERSION}
Summary: Build MDP files from step functions and replay buffers, export a PyTorch JEPA to ONNX, and run jepa-verify assess on it.
Requires-Python: >=3.9
"""
WHEEL = """Wheel-Version: 1.0
Generator: jepa_verify wheel_backend
Root-Is-Purelib: true
Tag: py3-none-any
"""


def _files():
    package = os.path.join(ROOT, NAME)
    for name in sorted(os.listdir(package)):
        if name.endswith(".py"):
            yield f"{NAME}/{name}", os.path.join(package, name)


def _digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    filename = f"{DIST}-{VERSION}-py3-none-any.whl"
    info = f"{DIST}-{VERSION}.dist-info"
    records = []
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        entries = [(arc, open(path, "rb").read()) for arc, path in _files()]
        entries += [(f"{info}/METADATA", METADATA.encode()), (f"{info}/WHEEL", WHEEL.encode())]
        for arc, data in entries:
            wheel.writestr(zipfile.ZipInfo(arc, date_time=(2026, 1, 1, 0, 0, 0)), data)
            records.append(f"{arc},{_digest(data)},{len(data)}")
        records.append(f"{info}/RECORD,,")
        wheel.writestr(zipfile.ZipInfo(f"{info}/RECORD", date_time=(2026, 1, 1, 0, 0, 0)), "\n".join(records) + "\n")
    return filename


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # An editable install: a .pth file pointing at this tree.
    filename = f"{DIST}-{VERSION}-py3-none-any.whl"
    info = f"{DIST}-{VERSION}.dist-info"
    entries = [(f"{DIST}.pth", (ROOT + "\n").encode()), (f"{info}/METADATA", METADATA.encode()), (f"{info}/WHEEL", WHEEL.encode())]
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        records = []
        for arc, data in entries:
            wheel.writestr(arc, data)
            records.append(f"{arc},{_digest(data)},{len(data)}")
        records.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
    return filename


def build_sdist(sdist_directory, config_settings=None):
    filename = f"{DIST}-{VERSION}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz") as sdist:
        for rel in ["pyproject.toml", "README.md", "_build/wheel_backend.py"] + [arc for arc, _ in _files()]:
            data = open(os.path.join(ROOT, rel), "rb").read()
            member = tarfile.TarInfo(f"{DIST}-{VERSION}/{rel}")
            member.size = len(data)
            sdist.addfile(member, io.BytesIO(data))
        pkg = f"Metadata-Version: 2.1\nName: jepa-verify\nVersion: {VERSION}\n".encode()
        member = tarfile.TarInfo(f"{DIST}-{VERSION}/PKG-INFO")
        member.size = len(pkg)
        sdist.addfile(member, io.BytesIO(pkg))
    return filename
