#!/usr/bin/env python3
"""Independent oracle for pplint's component counts over the shared corpus.

Usage (from the repo root; the corpus lives at ../shared/corpus):

    python3 scripts/corpus_oracle.py ../shared/corpus > tests/data/corpus_expected.tsv

For every solution-input item listed in the corpus MANIFEST.md this prints one
TSV row with the number of agents, topics, knowledge sources, tools, flows,
custom connectors, connection references, environment variables and AI
prompts that pplint is expected to report.

This script is deliberately written without looking at the Rust code and with
nothing but the Python standard library, so that it is a second opinion on the
formats rather than a copy of pplint's own logic. The YAML files are not
parsed: the only thing needed from them is the top-level `kind:` and the
length of one list, and line-based matching gets those right even for the
fixtures that are deliberately not valid YAML. Diagnostics (unparseable files,
items without a solution, ...) go to stderr so they never end up in the TSV.

Conventions the Rust test has to share with this file:

* `item` is the corpus-relative path with MANIFEST's `TD/` and `FX/`
  abbreviations expanded and any trailing `/` removed.
* Solutions inside a folder item are found by a depth-first walk that visits
  the entries of each directory in byte order of their names (files and
  sub-directories interleaved), which fixes the order of `unique_name`.
* `unique_name`, `version` and `managed` join only the solutions that have a
  solution.xml (workspaces, paconn folders and env-var fragments have none).
"""

import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

COLUMNS = [
    "item", "solutions", "layouts", "unique_name", "version", "managed",
    "agents", "topics", "knowledge_sources", "tools", "flows", "connectors",
    "connection_references", "environment_variables", "ai_prompts",
]
COUNT_COLUMNS = COLUMNS[6:]

# MANIFEST §6 abbreviates these two long prefixes.
PREFIXES = {
    "TD/": "vscode-copilotstudio/src/LanguageServers/PowerPlatformLS/UnitTests/"
           "PowerPlatformLS.UnitTests/TestData/Workspace/",
    "FX/": "vscode-copilotstudio/src/LanguageServers/PowerPlatformLS/Tools/"
           "LspJournalCli/TestAssets/fixtures/",
}

BOM = "\ufeff"


def warn(msg):
    print(f"corpus_oracle: {msg}", file=sys.stderr)


# ---------------------------------------------------------------------------
# MANIFEST.md
# ---------------------------------------------------------------------------

SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+$")


def split_row(line):
    # Markdown escapes a literal pipe inside a cell as `\|`.
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def manifest_items(manifest_path):
    """Yield (item_path, layout) for every solution-input row, in order.

    Only tables whose header starts with a `path` column are item tables; the
    Commits and licence tables also have backticked first cells, so keying on
    the header (not on the cell shape) is what keeps them out.
    """
    with open(manifest_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    header = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s.startswith("|"):
            header = None
            continue
        cells = split_row(s)
        if i + 1 < len(lines) and SEPARATOR.match(lines[i + 1].strip()):
            header = [c.lower() for c in cells]
            continue
        if SEPARATOR.match(s):
            continue
        if not header or header[0] != "path" or "layout" not in header:
            continue
        m = re.fullmatch(r"`([^`]+)`", cells[0])
        if not m:
            warn(f"MANIFEST line {i + 1}: first cell is not a backticked path")
            continue
        layout = cells[header.index("layout")]
        if layout.startswith("reference") or layout == "fixture (doc)":
            continue
        path = m.group(1)
        for short, full in PREFIXES.items():
            if path.startswith(short):
                path = full + path[len(short):]
        yield path, layout


# ---------------------------------------------------------------------------
# A uniform read-only view of a solution, whether it lives in a folder or a zip
# ---------------------------------------------------------------------------

class Tree:
    """Files of one solution, as '/'-separated paths relative to its root.

    Lookups are case-insensitive because real exports disagree on case
    (`Other/` vs `other/`, `Workflows/` vs `workflows/`, `Solution.xml`).
    """

    def __init__(self, paths, reader, label):
        self.paths = sorted(paths)
        self._by_lower = {}
        for p in self.paths:
            self._by_lower.setdefault(p.lower(), p)
        self._reader = reader
        self.label = label

    def find(self, rel):
        return self._by_lower.get(rel.lower())

    def read(self, rel):
        return self._reader(rel)

    def parts(self):
        for p in self.paths:
            yield p, p.split("/")


def dir_tree(root):
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            full = os.path.join(dirpath, name)
            paths.append(os.path.relpath(full, root).replace(os.sep, "/"))

    def reader(rel):
        with open(os.path.join(root, *rel.split("/")), "rb") as f:
            return f.read()
    return Tree(paths, reader, root)


def zip_entries(zf):
    """File entries of a zip; directory entries (customHIL has three) are not files."""
    out = {}
    for info in zf.infolist():
        if info.is_dir() or info.filename.endswith("/"):
            continue
        out[info.filename.replace("\\", "/").lstrip("/")] = info.filename
    return out


def zip_tree(path):
    zf = zipfile.ZipFile(path)
    entries = zip_entries(zf)
    return Tree(entries.keys(), lambda rel: zf.read(entries[rel]), path)


def is_solution_zip(path):
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower() == "solution.xml" for n in zip_entries(zf))
    except (zipfile.BadZipFile, OSError) as e:
        warn(f"{path}: not a readable zip ({e})")
        return False


# ---------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------

def root_layout(path, entries):
    """Layout of `path` if it is a solution root, else None (rules in brief order)."""
    files = {e.lower() for e in entries if os.path.isfile(os.path.join(path, e))}
    dirs = {e.lower(): e for e in entries if os.path.isdir(os.path.join(path, e))}
    if "solution.xml" in files:
        return "folder"
    if "other" in dirs:
        other = os.path.join(path, dirs["other"])
        if any(e.lower() == "solution.xml" and os.path.isfile(os.path.join(other, e))
               for e in os.listdir(other)):
            return "solution-packager"
    if "settings.mcs.yml" in files or "agent.mcs.yml" in files:
        return "mcs-workspace"
    if "apidefinition.swagger.json" in files:
        return "connector"
    return None


def discover_dir(path):
    """Yield (layout, Tree) for the solutions under a folder, in sorted walk order.

    A root stops the descent, which is also what makes zips inside a root count
    as nested archives rather than solutions of their own.
    """
    entries = sorted(os.listdir(path))
    layout = root_layout(path, entries)
    if layout:
        yield layout, dir_tree(path)
        return
    for e in entries:
        full = os.path.join(path, e)
        if os.path.isdir(full):
            yield from discover_dir(full)
        elif e.lower().endswith(".zip") and is_solution_zip(full):
            yield "zip", zip_tree(full)


def discover(item_abs):
    if os.path.isdir(item_abs):
        return list(discover_dir(item_abs))
    if item_abs.lower().endswith(".zip"):
        return [("zip", zip_tree(item_abs))] if is_solution_zip(item_abs) else []
    if os.path.basename(item_abs).lower() == "environmentvariabledefinition.xml":
        return [("envvar-fragment", None)]
    warn(f"{item_abs}: single file that is not a solution")
    return []


# ---------------------------------------------------------------------------
# File parsing helpers
# ---------------------------------------------------------------------------

def local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml(tree, rel):
    if rel is None:
        return None
    data = tree.read(rel)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # most exported XML starts with one; don't rely on the parser
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        warn(f"{tree.label}: {rel}: XML parse error: {e}")
        return None


def child_text(elem, name):
    for c in elem:
        if local(c.tag) == name:
            return (c.text or "").strip()
    return None


def text(tree, rel):
    return tree.read(rel).decode("utf-8", errors="replace").lstrip(BOM)


KIND_RE = re.compile(r"^kind[ \t]*:[ \t]*(.*?)[ \t]*$")


def yaml_kind(src):
    """Value of the first column-0 `kind:` line.

    Indented lines (an `mcs.metadata:` block, nested objects) and `#` comments
    never start at column 0 with `kind:`, so they are skipped by construction.
    """
    for line in src.splitlines():
        m = KIND_RE.match(line.rstrip("\r"))
        if m:
            value = re.sub(r"\s+#.*$", "", m.group(1))
            return value.strip("'\"")
    return None


def yaml_top_list_len(src, key):
    """Number of items in the block list under top-level `key:`.

    Items are the `- ` lines at the shallowest indentation below the key
    (YAML allows that to be column 0, i.e. the key's own indentation).
    """
    lines = [l.rstrip("\r") for l in src.splitlines()]
    for i, line in enumerate(lines):
        m = re.match(rf"^{re.escape(key)}[ \t]*:(.*)$", line)
        if not m:
            continue
        rest = m.group(1).strip()
        if rest.startswith("["):
            inner = rest.strip("[]").strip()
            return len([x for x in inner.split(",") if x.strip()]) if inner else 0
        body = []
        for l in lines[i + 1:]:
            if not l.strip() or l.lstrip().startswith("#"):
                continue
            if not l.startswith((" ", "\t", "-")):
                break  # next top-level key
            body.append(l)
        items = [len(l) - len(l.lstrip(" ")) for l in body
                 if re.match(r"^\s*-(\s|$)", l)]
        if not items:
            return 0
        return sum(1 for ind in items if ind == min(items))
    return 0


# ---------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------

def zero_counts():
    return {k: 0 for k in COUNT_COLUMNS}


def is_knowledge_kind(kind):
    return kind is not None and (
        kind in ("KnowledgeSourceConfiguration", "FileAttachmentComponentMetadata")
        or kind.endswith("SearchSource") or kind.endswith("KnowledgeSource"))


def count_export(layout, tree):
    """zip / folder / solution-packager: the three share one component model."""
    c = zero_counts()
    packager = layout == "solution-packager"
    meta = {}

    sol = parse_xml(tree, tree.find("Other/Solution.xml" if packager else "solution.xml"))
    if sol is not None:
        manifest = next((e for e in sol.iter() if local(e.tag) == "SolutionManifest"), None)
        if manifest is not None:
            # Direct children only: <Publisher> has a <UniqueName> of its own.
            for key, name in (("unique_name", "UniqueName"), ("version", "Version"),
                              ("managed", "Managed")):
                meta[key] = child_text(manifest, name) or ""

    cust = parse_xml(tree, tree.find("Other/Customizations.xml" if packager
                                     else "customizations.xml"))
    connector_names = set()
    if cust is not None:
        for e in cust.iter():
            tag = local(e.tag)
            if tag == "connectionreference":
                c["connection_references"] += 1
            elif tag == "AIModel":
                c["ai_prompts"] += 1
            elif tag == "Connectors" and not packager:
                for conn in e:
                    if local(conn.tag) == "Connector":
                        c["connectors"] += 1
                        connector_names.add((child_text(conn, "name") or "").lower())

    for rel, parts in tree.parts():
        low = [p.lower() for p in parts]
        if len(parts) == 3 and low[0] == "bots" and low[2] == "bot.xml":
            c["agents"] += 1
        elif len(parts) == 3 and low[0] == "botcomponents" and low[2] == "botcomponent.xml":
            count_bot_component(tree, rel, parts, c)
        elif len(parts) == 2 and low[0] == "workflows" and low[1].endswith(".json"):
            c["flows"] += 1
        elif (len(parts) == 3 and low[0] == "environmentvariabledefinitions"
              and low[2] == "environmentvariabledefinition.xml"):
            c["environment_variables"] += 1
        elif packager and len(parts) == 2 and low[0] == "connectors" and low[1].endswith(".xml"):
            c["connectors"] += 1
            x = parse_xml(tree, rel)
            name = child_text(x, "name") if x is not None else None
            connector_names.add((name or parts[1][:-4]).lower())

    # A connector whose definition file is present but that has no <Connector>
    # entry still ships an API definition, so it counts too (once per stem).
    suffix = "_openapidefinition.json"
    for rel, parts in tree.parts():
        low = [p.lower() for p in parts]
        if len(parts) == 2 and low[0] in ("connector", "connectors") and low[1].endswith(suffix):
            stem = low[1][:-len(suffix)]
            if stem not in connector_names:
                warn(f"{tree.label}: {rel}: connector definition without a <Connector> entry")
                connector_names.add(stem)
                c["connectors"] += 1
    return c, meta


def count_bot_component(tree, rel, parts, c):
    x = parse_xml(tree, rel)
    ctype = None
    if x is not None:
        raw = child_text(x, "componenttype")
        try:
            ctype = int(raw) if raw is not None else None
        except ValueError:
            warn(f"{tree.label}: {rel}: non-integer componenttype {raw!r}")
    folder = "/".join(parts[:2])
    data = tree.find(folder + "/data") or tree.find(folder + "/data.yml")
    kind = yaml_kind(text(tree, data)) if data else None
    # Type 0 is a classic (PVA v1) topic whose body is content.json, not YAML.
    # Type 10 translations also say AdaptiveDialog but duplicate a topic, and
    # type 9 is shared with tools, child agents and (in fixtures) variables,
    # hence the kind check.
    if (ctype == 9 and kind == "AdaptiveDialog") or ctype == 0:
        c["topics"] += 1
    # Uploaded files (type 14) ship bytes under filedata/ and no YAML at all.
    if kind == "KnowledgeSourceConfiguration" or ctype == 14:
        c["knowledge_sources"] += 1
    if kind == "TaskDialog":
        c["tools"] += 1
    if ctype == 9 and kind is None:
        warn(f"{tree.label}: {folder}: componenttype 9 without a YAML kind")


def count_workspace(tree):
    c = zero_counts()
    root_files = {p.lower() for p in tree.paths if "/" not in p}
    if "settings.mcs.yml" in root_files or "agent.mcs.yml" in root_files:
        c["agents"] = 1
    skip_root = {"settings.mcs.yml", "agent.mcs.yml", "connectionreferences.mcs.yml"}
    for rel, parts in tree.parts():
        low = [p.lower() for p in parts]
        if len(parts) == 3 and low[0] == "workflows" and low[2] == "workflow.json":
            c["flows"] += 1
            continue
        if not low[-1].endswith(".mcs.yml") or low[0] == ".mcs":
            continue
        if len(parts) == 1 and low[0] in skip_root:
            continue
        # knowledge/files/*.mcs.yml describe uploaded files (componenttype 14 in
        # exports, where they carry no YAML either): they count whatever their
        # kind, often none (only an mcs.metadata block).
        kind = yaml_kind(text(tree, rel))
        if len(parts) == 3 and low[0] == "knowledge" and low[1] == "files":
            c["knowledge_sources"] += 1
            continue
        if kind is None:
            warn(f"{tree.label}: {rel}: no top-level kind")
        # translations/ holds per-language copies of topics (type 10 in exports).
        if kind == "AdaptiveDialog" and low[0] != "translations":
            c["topics"] += 1
        if is_knowledge_kind(kind):
            c["knowledge_sources"] += 1
        if kind == "TaskDialog":
            c["tools"] += 1
    refs = tree.find("connectionreferences.mcs.yml")
    if refs:
        c["connection_references"] = yaml_top_list_len(text(tree, refs), "connectionReferences")
    return c


def count_solution(layout, tree):
    if layout == "envvar-fragment":
        # A lone environmentvariabledefinition.xml (plus an optional sibling
        # environmentvariablevalues.json) is one variable and nothing else.
        c = zero_counts()
        c["environment_variables"] = 1
        return "solution-packager", c, {}
    if layout == "mcs-workspace":
        return layout, count_workspace(tree), {}
    if layout == "connector":
        c = zero_counts()
        c["connectors"] = 1
        return layout, c, {}
    c, meta = count_export(layout, tree)
    return layout, c, meta


def item_row(corpus, item):
    item_abs = os.path.join(corpus, *item.rstrip("/").split("/"))
    row = {"item": item.rstrip("/")}
    solutions = discover(item_abs)
    if not solutions:
        warn(f"{item}: no solution found")
    totals = zero_counts()
    layouts = set()
    metas = {"unique_name": [], "version": [], "managed": []}
    for layout, tree in solutions:
        layout, counts, meta = count_solution(layout, tree)
        layouts.add(layout)
        for k in COUNT_COLUMNS:
            totals[k] += counts[k]
        for k in metas:
            if meta.get(k):
                metas[k].append(meta[k])
    row["solutions"] = len(solutions)
    row["layouts"] = ",".join(sorted(layouts))
    for k, v in metas.items():
        row[k] = ",".join(v)
    row.update(totals)
    return row


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} CORPUS_DIR", file=sys.stderr)
        return 2
    corpus = argv[1]
    items = [item for item, _layout in manifest_items(os.path.join(corpus, "MANIFEST.md"))]
    # A renamed or missing item would otherwise become a row of zeros that the
    # Rust test then happily agrees with.
    missing = [i for i in items if not os.path.exists(os.path.join(corpus, i))]
    if not items or missing:
        for i in missing:
            warn(f"{i}: listed in MANIFEST.md but missing from the corpus")
        return 1
    out = sys.stdout
    out.write("\t".join(COLUMNS) + "\n")
    for item in items:
        row = item_row(corpus, item)
        out.write("\t".join(str(row[k]) for k in COLUMNS) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
