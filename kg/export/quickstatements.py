"""QuickStatements commands (V1 and CSV) for the selected statements.

Syntax follows the QuickStatements parser (``importDataFromV1``, ``importDataFromCSV`` and
``parseValueV1`` in magnusmanske/quickstatements), summarised in the ontology research note §2:

* V1: one command per line, columns separated by TAB: ``Q30⇥P463⇥Q7817⇥P582⇥+2026-01-22T00:00:00Z/11⇥S854⇥"…"``;
  qualifiers are ``Pnnn value`` pairs, references ``Snnn value`` pairs (consecutive ``S`` pairs are one
  reference). A statement cited by two documents is written twice with the same qualifiers and one
  reference each; QuickStatements merges the lines into one statement with two references.
* CSV: header ``qid,P463,qal582,S854,s1683,s813``; ``qal`` is a qualifier, ``S`` starts a reference and ``s``
  adds to it; an empty ``qid`` creates an item. Cells hold V1 values under CSV quoting, so a URL cell is the V1 string
  ``"https://…"`` with each quote doubled and the cell quoted.
  The CSV parser parses every cell, an empty one too, so all rows of a table must have the same columns:
  rows of different shapes go to separate tables.
* Times always carry the precision suffix (``/11`` day, ``/10`` month, ``/9`` year): without it the parser
  assumes a year. Values never contain a TAB or a newline.

No edit-summary comments are written: the parser version checked treats a trailing ``/* … */`` column
(V1) or a ``#`` column (CSV) as an error.
"""

from __future__ import annotations

import csv
import io

from ..links import pid
from .statements import NewItem, Reference, Selection, Statement, Time


def value(kind: str, v) -> str:
    if kind == "item":
        return str(v)
    if kind == "url":
        return f'"{v}"'
    if kind == "text":
        lang, text = v
        return f'{lang}:"{text}"'
    if kind == "time":
        assert isinstance(v, Time)
        return v.qs()
    raise ValueError(kind)


def _statement_rows(st: Statement) -> list[list[tuple[str, str]]]:
    """One row per reference; each row is ``[(column kind, value)]`` with kinds P/qal/S/s."""
    rows = []
    for ref in st.references:
        row = [("qid", st.subject), (st.property, st.value)]
        row += [(f"qal{p[1:]}", t.qs()) for p, t in st.qualifiers]
        row += _reference_cells(ref, with_quote=True)
        rows.append(row)
    return rows


def _reference_cells(ref: Reference, *, with_quote: bool) -> list[tuple[str, str]]:
    cells = []
    for n, (p, kind, v) in enumerate(ref.snaks(with_quote=with_quote)):
        cells.append((("S" if n == 0 else "s") + p[1:], value(kind, v)))
    return cells


def _new_item_rows(item: NewItem) -> list[tuple[str, str]]:
    row = [("qid", "")]
    row += [(f"L{lang}", text) for lang, text in sorted(item.labels.items())]
    row += [(f"A{lang}", text) for lang, text in item.aliases]
    if item.class_qid:
        row.append((pid("rdf:type"), item.class_qid))
        if item.reference is not None:
            row += _reference_cells(item.reference, with_quote=False)
    return row


def to_v1(selection: Selection) -> str:
    """V1 commands, TAB-separated, one per line (``CREATE`` blocks first)."""
    lines: list[str] = []
    for item in selection.new_items:
        lines.append("CREATE")
        for header, v in _new_item_rows(item)[1:]:
            if header[0] in "LA":
                lines.append(f'LAST\t{header}\t"{v}"')
            elif header.startswith("P"):
                lines.append(f"LAST\t{header}\t{v}")
            else:  # reference cells of the P31 statement: append to its line
                lines[-1] += f"\tS{header[1:]}\t{v}"
    for st in selection.statements:
        for row in _statement_rows(st):
            cols = [row[0][1], row[1][0], row[1][1]]
            for header, v in row[2:]:
                key = "P" + header[3:] if header.startswith("qal") else "S" + header[1:]
                cols += [key, v]
            lines.append("\t".join(cols))
    return "".join(line + "\n" for line in lines)


def to_csv_tables(selection: Selection) -> list[str]:
    """CSV tables, one per column layout (new items first). Usually one table for the statements."""
    rows = [_new_item_rows(i) for i in selection.new_items]
    rows += [r for st in selection.statements for r in _statement_rows(st)]
    tables: dict[tuple[str, ...], list[list[str]]] = {}
    for row in rows:
        tables.setdefault(tuple(h for h, _ in row), []).append([v for _, v in row])
    out = []
    for header, body in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        w.writerows(body)
        out.append(buf.getvalue())
    return out
