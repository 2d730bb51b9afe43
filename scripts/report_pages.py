"""Render the report pages kept in docs/reports/*.png (needs pdftoppm from poppler-utils).

    .venv/bin/python scripts/report_pages.py

The day is the recorded day of the report tests (tests/unit/reports/recorded.py: 練馬営業所's three
trucks, one breaking the 430 rule, one restrained 14 h 30 min with a 荷待ち of 2 h 30 min and a failed
delivery, one adding and skipping stops); the pages are the daily report's summary, one 運転日報, and the
monthly summary.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.reports.daily import branch_report  # noqa: E402
from server.reports.diary import diaries  # noqa: E402
from server.reports.monthly import monthly_summary  # noqa: E402
from server.reports.pdf import daily_pdf, monthly_pdf  # noqa: E402
from tests.unit.reports.recorded import DATE, recorded_day  # noqa: E402


def pages(pdf: bytes, stem: str, out: Path, first: int, last: int) -> list[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", str(first), "-l", str(last), str(path),
                        str(Path(tmp) / "p")], check=True)
        found = sorted(Path(tmp).glob("p-*.png"))
        kept = []
        for i, png in enumerate(found, start=first):
            target = out / f"{stem}-{i}.png"
            target.write_bytes(png.read_bytes())
            kept.append(target)
        return kept


def main() -> int:
    out = ROOT / "docs" / "reports"
    out.mkdir(parents=True, exist_ok=True)
    report = branch_report(recorded_day())
    written = pages(daily_pdf(report, diaries(report)), "daily", out, 1, 3)
    written += pages(monthly_pdf(monthly_summary([report], DATE)), "monthly", out, 1, 1)
    for p in written:
        print(p.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
