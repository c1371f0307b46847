#!/usr/bin/env python3
"""Checks that Spate's module dependencies point down the layer order.

    tools/check_layers.py [--root DIR]

The layer table below encodes the steering ARCHITECTURE.md's "Layers
(dependencies point down)", modules not built yet included. For every C++
file under DIR/src (DIR defaults to the repository) and every
src/**/CMakeLists.txt it fails when:
  - a module includes a header of, or links, a module of a higher layer or a
    peer on the same layer;
  - a module of the SQL layer or above (app aside: it is the composition root
    that starts the broker) includes or links storage/, coordinator/ or
    broker/: those reach the log only through kafka/client;
  - a file or CMakeLists.txt sits in a src/ directory that no module owns.
The compiler checks the other half: a module sees only the include
directories of the modules it links (CMakeLists.txt, spate_add_module).
Prints one line per violation and exits 1, or prints a summary and exits 0.
"""

import argparse
import pathlib
import re
import sys

# Module path under src/ -> layer, bottom first. Modules on the same layer
# (ml and lineage) may not depend on each other.
LAYERS = {
    "base": 0,
    "bytes": 1,
    "model": 2,
    "storage": 3,
    "kafka/protocol": 4,
    "net": 5,
    "security": 6,
    "coordinator": 7,
    "broker": 8,
    "kafka/client": 9,
    "registry": 10,
    "sql": 11,
    "ml": 12,
    "lineage": 12,
    "http": 13,
    "pgwire": 13,
    "cli": 14,
    "app": 15,
}

# From this layer up, the log is reached only through kafka/client.
LOG_CLIENT_LAYER = LAYERS["registry"]
LOG_INTERNALS = ("storage", "coordinator", "broker")
COMPOSITION_ROOT = "app"

SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".cc", ".cpp", ".cxx", ".ipp")
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*[<"]([^">]+)[">]', re.M)
LINK_RE = re.compile(r"target_link_libraries\s*\(([^)]*)\)", re.S)
LIBRARY_RE = re.compile(r"\bspate_[a-z0-9_]+\b")


def target_name(module):
    return "spate_" + module.replace("/", "_")


# A module's libraries: spate_<module> and its test hooks spate_<module>_testing.
TARGETS = {target_name(m): m for m in LAYERS}
TARGETS.update({target_name(m) + "_testing": m for m in LAYERS})


def module_of(relpath):
    """The module owning a path relative to src/ (longest prefix), or None."""
    best = None
    for module in LAYERS:
        if relpath == module or relpath.startswith(module + "/"):
            if best is None or len(module) > len(best):
                best = module
    return best


def dependency_error(module, dep, what):
    """Why `module` may not depend on `dep` (what: "includes X"), or None."""
    if dep == module:
        return None
    layer, dep_layer = LAYERS[module], LAYERS[dep]
    if dep_layer > layer:
        return (f"{module} (layer {layer}) {what} of {dep} (layer {dep_layer}), a layer "
                f"above it: dependencies point down")
    if dep_layer == layer:
        return (f"{module} {what} of {dep}, a peer on the same layer {layer}: peers are "
                f"independent (move shared code down a layer)")
    if layer >= LOG_CLIENT_LAYER and module != COMPOSITION_ROOT and dep in LOG_INTERNALS:
        return (f"{module} {what} of {dep}: sql/ and the layers above it reach the log "
                f"only through kafka/client, never {'/, '.join(LOG_INTERNALS)}/")
    return None


def check_sources(src, errors):
    count = 0
    for path in sorted(src.rglob("*")):
        if not path.is_file() or path.suffix not in SOURCE_SUFFIXES:
            continue
        rel = path.relative_to(src).as_posix()
        module = module_of(rel)
        if module is None:
            errors.append(f"src/{rel}: in no module of the layer table (tools/check_layers.py)")
            continue
        count += 1
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in INCLUDE_RE.finditer(text):
            header = match.group(1)
            dep = module_of(header)
            if dep is None:
                continue
            line = text.count("\n", 0, match.start()) + 1
            error = dependency_error(module, dep, f'includes "{header}"')
            if error:
                errors.append(f"src/{rel}:{line}: {error}")
    return count


def strip_cmake_comments(text):
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def check_cmake(src, errors):
    count = 0
    for path in sorted(src.rglob("CMakeLists.txt")):
        rel = path.relative_to(src).as_posix()
        module = module_of(path.parent.relative_to(src).as_posix())
        if module is None:
            errors.append(f"src/{rel}: in no module of the layer table (tools/check_layers.py)")
            continue
        count += 1
        text = strip_cmake_comments(path.read_text(encoding="utf-8"))
        for match in LINK_RE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            args = match.group(1).split()
            for library in LIBRARY_RE.findall(" ".join(args[1:])):
                dep = TARGETS.get(library)
                if dep is None:
                    errors.append(f"src/{rel}:{line}: links {library}, a library of no "
                                  f"module in the layer table")
                    continue
                error = dependency_error(module, dep, f"links {library}")
                if error:
                    errors.append(f"src/{rel}:{line}: {error}")
    return count


def check(root):
    """Returns (violations, number of sources, number of CMakeLists.txt)."""
    src = root / "src"
    errors = []
    sources = check_sources(src, errors)
    cmakes = check_cmake(src, errors)
    return errors, sources, cmakes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_root = pathlib.Path(__file__).resolve().parent.parent
    parser.add_argument("--root", type=pathlib.Path, default=default_root)
    args = parser.parse_args()
    if not (args.root / "src").is_dir():
        print(f"check_layers: no src/ under {args.root}", file=sys.stderr)
        return 2
    errors, sources, cmakes = check(args.root)
    for error in errors:
        print(error)
    if errors:
        print(f"layers: {len(errors)} violation(s) of the layer order (tools/check_layers.py)")
        return 1
    print(f"layers: ok ({sources} sources, {cmakes} CMakeLists.txt)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
