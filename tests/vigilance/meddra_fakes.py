"""FAKE MedDRA distributions for tests and benchmarks: invented codes (9xxxxxxx) and names, the real
file format. MedDRA is licensed; nothing here comes from it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

LEGACY_7 = "$" * 7  # whoart, harts, costart, icd9, icd9cm, icd10, jart: empty since v15.0


def fake_files(soc_name: str = "Fake organ disorders", version: str = "99.0") -> dict[str, list[str]]:
    """An invented two-SOC release: PT 90000011 sits under both SOCs, primary in 90000001."""
    return {
        "soc.asc": [f"90000001${soc_name}$Fake${LEGACY_7}", f"90000002$Pretend conditions$Pret${LEGACY_7}"],
        "hlgt.asc": [f"90000101$Fake organ ailments HLGT${LEGACY_7}", f"90000102$Pretend ailments HLGT${LEGACY_7}"],
        "hlt.asc": [f"90000201$Fakeitis HLT${LEGACY_7}", f"90000202$Pretendosis HLT${LEGACY_7}"],
        "pt.asc": [f"90000011$Fakeitis$$90000001${LEGACY_7}", f"90000012$Pretendosis$$90000002${LEGACY_7}"],
        "llt.asc": [
            "90000011$Fakeitis$90000011$$$$$$$Y$$",
            "90000021$Fake inflammation$90000011$$$$$$$Y$$",
            "90000022$Old fake inflammation$90000011$$$$$$$N$$",
            "90000012$Pretendosis$90000012$$$$$$$Y$$",
        ],
        "soc_hlgt.asc": ["90000001$90000101$", "90000002$90000102$"],
        "hlgt_hlt.asc": ["90000101$90000201$", "90000102$90000202$"],
        "hlt_pt.asc": ["90000201$90000011$", "90000202$90000011$", "90000202$90000012$"],
        "mdhier.asc": [
            f"90000011$90000201$90000101$90000001$Fakeitis$Fakeitis HLT$Fake organ ailments HLGT${soc_name}$Fake"
            "$$90000001$Y$",
            "90000011$90000202$90000102$90000002$Fakeitis$Pretendosis HLT$Pretend ailments HLGT$Pretend conditions"
            "$Pret$$90000001$N$",
            "90000012$90000202$90000102$90000002$Pretendosis$Pretendosis HLT$Pretend ailments HLGT"
            "$Pretend conditions$Pret$$90000002$Y$",
        ],
        "smq_list.asc": [f"90020000$Fake SMQ (narrow)$1$Invented for tests$None$${version}$A$N$"],
        "smq_content.asc": [f"90020000$90000011$4$2$A$0$A${version}${version}$"],
        "intl_ord.asc": ["1$90000001$", "2$90000002$"],
        "meddra_release.asc": [f"{version}$English$$$$"],
    }


def next_version_files() -> dict[str, list[str]]:
    """Version 99.1 of the fake release: Pretendosis's primary SOC moves to 90000001, LLT 90000021 becomes
    non-current, LLT 90000023 is new, and PT Fakeitis is renamed Fakeitis nova."""
    files = fake_files(version="99.1")
    files["pt.asc"] = [f"90000011$Fakeitis nova$$90000001${LEGACY_7}", f"90000012$Pretendosis$$90000001${LEGACY_7}"]
    files["llt.asc"] = [
        "90000011$Fakeitis nova$90000011$$$$$$$Y$$",
        "90000021$Fake inflammation$90000011$$$$$$$N$$",
        "90000022$Old fake inflammation$90000011$$$$$$$N$$",
        "90000023$Fake swelling$90000012$$$$$$$Y$$",
        "90000012$Pretendosis$90000012$$$$$$$Y$$",
    ]
    files["hlt_pt.asc"] = ["90000201$90000011$", "90000202$90000011$", "90000201$90000012$"]
    files["mdhier.asc"] = [
        "90000011$90000201$90000101$90000001$F$F$F$F$F$$90000001$Y$",
        "90000011$90000202$90000102$90000002$F$F$F$F$F$$90000001$N$",
        "90000012$90000201$90000101$90000001$F$F$F$F$F$$90000001$Y$",
    ]
    return files


def write_release(
    directory: Path, files: dict[str, list[str]], encoding: str = "utf-8", final_newline: bool = True
) -> Path:
    directory.mkdir(parents=True)
    for name, lines in files.items():
        text = "\r\n".join(lines) + ("\r\n" if final_newline and lines and name != "meddra_release.asc" else "")
        (directory / name).write_bytes(text.encode(encoding))
    return directory


def zipped(files: dict[str, list[str]], folder: str = "MedDRA_99_0_English/MedAscii", encoding: str = "utf-8") -> bytes:
    """The files as a zip archive, the way a regulator zips the distribution folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder.split('/', maxsplit=1)[0]}/readme.txt", "Fake distribution for tests.")
        for name, lines in files.items():
            archive.writestr(f"{folder}/{name}", ("\r\n".join(lines) + "\r\n").encode(encoding))
    return buffer.getvalue()


def synthetic_files(version: str = "99.0", pts: int = 26_000, llts_per_pt: float = 3.3) -> dict[str, list[str]]:
    """A release of realistic size (27.x: 27 SOC, 337 HLGT, 1,737 HLT, ~26k PT, ~85k LLT, ~230 SMQ)
    with invented codes and names; every fifth LLT non-current, every tenth PT under two HLTs."""
    socs, hlgts, hlts = 27, 337, 1_737
    files: dict[str, list[str]] = {name: [] for name in ("soc.asc", "hlgt.asc", "hlt.asc", "pt.asc", "llt.asc")}
    files["soc.asc"] = [f"{91000000 + s}$Synthetic SOC {s}$SY{s}${LEGACY_7}" for s in range(socs)]
    files["hlgt.asc"] = [f"{91100000 + g}$Synthetic HLGT {g}${LEGACY_7}" for g in range(hlgts)]
    files["hlt.asc"] = [f"{91200000 + h}$Synthetic HLT {h}${LEGACY_7}" for h in range(hlts)]
    files["soc_hlgt.asc"] = [f"{91000000 + g % socs}${91100000 + g}$" for g in range(hlgts)]
    files["hlgt_hlt.asc"] = [f"{91100000 + h % hlgts}${91200000 + h}$" for h in range(hlts)]
    files["hlt_pt.asc"], files["mdhier.asc"] = [], []
    llt_code = 93000000
    for p in range(pts):
        pt = 92000000 + p
        under = [p % hlts] + ([(p + 7) % hlts] if p % 10 == 0 else [])
        primary_soc = 91000000 + (under[0] % hlgts) % socs
        files["pt.asc"].append(f"{pt}$Synthetic preferred term {p}$${primary_soc}${LEGACY_7}")
        for index, h in enumerate(under):
            hlgt, soc = h % hlgts, (h % hlgts) % socs
            files["hlt_pt.asc"].append(f"{91200000 + h}${pt}$")
            files["mdhier.asc"].append(
                f"{pt}${91200000 + h}${91100000 + hlgt}${91000000 + soc}$P$H$G$S$SY$${primary_soc}$"
                + ("Y$" if index == 0 else "N$")
            )
        count = int(llts_per_pt) + (1 if p % 10 < (llts_per_pt % 1) * 10 else 0)
        files["llt.asc"].append(f"{pt}$Synthetic preferred term {p}${pt}$$$$$$$Y$$")
        for _ in range(count - 1):
            current = "N" if llt_code % 5 == 0 else "Y"
            files["llt.asc"].append(f"{llt_code}$Synthetic lowest level term {llt_code}${pt}$$$$$$${current}$$")
            llt_code += 1
    files["smq_list.asc"] = [
        f"{94000000 + q}$Synthetic SMQ {q}$1$Invented query {q}$Invented source$${version}$A$N$" for q in range(230)
    ]
    files["smq_content.asc"] = [
        f"{94000000 + (p % 230)}${92000000 + p}$4${1 + p % 2}$A$0$A${version}${version}$" for p in range(pts)
    ] * 4
    files["meddra_release.asc"] = [f"{version}$English$$$$"]
    return files
