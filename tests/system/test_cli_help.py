"""`spate --help` and every sub-command's `--help` come from the CLI11 parser.

For each command path the test knows the options the command accepts: its
help must list exactly those (plus --help), `spate --help` and each group's
help must list its sub-commands, an unknown option must be refused with
exit 2 and CLI11's message, and a bare `spate` prints the help on stderr
with exit 2. No broker is needed: nothing here connects."""

import os
import re
import subprocess
import sys

SPATE = os.environ["SPATE_BIN"]

TOP = ["serve", "topic", "group", "txn", "acl", "quota", "user", "schema", "produce", "consume",
       "sql"]
GROUPS = {
    "topic": ["create", "list", "describe", "delete", "alter-config", "delete-records"],
    "group": ["list", "describe", "reset-offsets", "delete"],
    "txn": ["list", "describe"],
    "acl": ["create", "list", "delete"],  # aliases add, remove
    "quota": ["alter", "describe"],
    "user": ["create", "list", "delete"],
    "schema": ["list", "get", "register", "check", "delete", "config"],
}
B = ["--bootstrap", "--command-config"]
R = ["--registry"]
ACL = B + ["--allow-principal", "--deny-principal", "--allow-host", "--deny-host", "--operation",
           "--topic", "--group", "--transactional-id", "--cluster", "--resource-pattern-type",
           "--principal", "--subject"]
USER = ["--data-dir", "--config", "--bootstrap", "--command-config"]
QUOTA = B + ["--user", "--user-default", "--client-id", "--client-default", "--add-config",
             "--delete-config", "--validate-only"]
OPTIONS = {
    "serve": ["--data-dir", "--kafka-listen", "--pg-listen", "--http-listen", "--bootstrap",
              "--advertise",
              "--config", "--node-id",
              "--log-level", "--log-json"],
    "topic create": B + ["--partitions", "--replication-factor", "--config"],
    "topic list": B,
    "topic describe": B,
    "topic delete": B,
    "topic alter-config": B + ["--set", "--delete"],
    "topic delete-records": B + ["--partition", "--before"],
    "group list": B + ["--state"],
    "group describe": B + ["--members"],
    "group reset-offsets": B + ["--topic", "--all-topics", "--to-earliest", "--to-latest",
                                "--to-offset", "--to-datetime", "--dry-run"],
    "group delete": B,
    "txn list": B + ["--state", "--producer-id"],
    "txn describe": B,
    "acl create": ACL,
    "acl list": ACL,
    "acl delete": ACL,
    "quota alter": QUOTA,
    "quota describe": QUOTA,
    "user create": USER + ["--password", "--iterations", "--mechanism"],
    "user list": USER,
    "user delete": USER + ["--mechanism"],
    "produce": B + ["--key-separator", "--header", "--partition", "--acks", "--compression"],
    "consume": B + ["--from-beginning", "--offset", "--timestamp", "--partition", "--count",
                    "--print-key", "--print-timestamp", "--print-headers", "--separator",
                    "--timeout-ms"],
    "schema list": R + ["--prefix", "--deleted"],
    "schema get": R + ["--id", "--version", "--deleted", "--schema-only"],
    "schema register": R + ["--file", "--type", "--reference", "--normalize"],
    "schema check": R + ["--file", "--type", "--reference", "--normalize", "--version"],
    "schema delete": R + ["--version", "--permanent"],
    "schema config": R + ["--set", "--delete"],
    "sql": ["--url", "--host", "--port", "--user", "--dbname", "--command", "--file"],
}

# Required positionals, so that an unknown option is the only usage error.
POSITIONALS = {
    "topic create": ["t"], "topic describe": ["t"], "topic delete": ["t"],
    "topic alter-config": ["t"], "group describe": ["g"],
    "topic delete-records": ["t", "--partition", "0", "--before", "1"],
    "group reset-offsets": ["g"], "group delete": ["g"], "txn describe": ["x"],
    "user create": ["u", "--password", "p"], "user delete": ["u"],
    "produce": ["t"], "consume": ["t"],
    "schema get": ["s"], "schema register": ["s", "--file", "f"],
    "schema check": ["s", "--file", "f"], "schema delete": ["s"],
}

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def run(*args):
    return subprocess.run([SPATE] + list(args), capture_output=True, text=True, timeout=30)


def listed_options(help_text):
    """The long options of a help text's Options section."""
    return set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z0-9-]*)", help_text, re.M))


def listed_subcommands(help_text):
    part = help_text.split("Subcommands:", 1)
    if len(part) < 2:
        return set()
    # "create, add": a sub-command and its aliases.
    return set(re.findall(r"^\s+([a-z][a-z-]*)[\s,]", part[1], re.M))


p = run("--help")
check(p.returncode == 0, "spate --help exited %d" % p.returncode)
check(listed_subcommands(p.stdout) == set(TOP),
      "spate --help lists %s, want %s" % (sorted(listed_subcommands(p.stdout)), sorted(TOP)))
check(run("help").stdout == p.stdout, "spate help differs from spate --help")

bare = run()
check(bare.returncode == 2, "bare spate exited %d, want 2" % bare.returncode)
check(listed_subcommands(bare.stderr) == set(TOP), "bare spate help on stderr:\n" + bare.stderr)

for group, subs in GROUPS.items():
    p = run(group, "--help")
    check(p.returncode == 0, "spate %s --help exited %d" % (group, p.returncode))
    check(listed_subcommands(p.stdout) == set(subs),
          "spate %s --help lists %s, want %s" % (group, sorted(listed_subcommands(p.stdout)), subs))
    p = run(group)
    check(p.returncode == 2 and "subcommand" in p.stderr.lower(),
          "spate %s without a sub-command: exit %d, stderr %r" % (group, p.returncode, p.stderr))

for path, opts in OPTIONS.items():
    words = path.split()
    p = run(*words, "--help")
    check(p.returncode == 0, "spate %s --help exited %d" % (path, p.returncode))
    want = set(opts) | {"--help"}
    got = listed_options(p.stdout)
    check(got == want, "spate %s --help lists %s, want %s" % (path, sorted(got), sorted(want)))
    check("Usage:" in p.stdout, "spate %s --help has no usage line" % path)
    bad = run(*words, *POSITIONALS.get(path, []), "--no-such-option")
    check(bad.returncode == 2, "spate %s --no-such-option exited %d, want 2" % (path, bad.returncode))
    check("--no-such-option" in bad.stderr,
          "spate %s --no-such-option message: %r" % (path, bad.stderr))

# Typed options and ranges are checked by the parser, before anything runs.
for args, what in [(["topic", "create", "t", "--partitions", "0"], "--partitions"),
                   (["produce", "t", "--acks", "2"], "--acks"),
                   (["consume", "t", "--from-beginning", "--offset", "1"], "excludes"),
                   (["sql", "-c", "SHOW SOURCES", "-f", "x.sql"], "excludes"),
                   (["serve", "--node-id", "-1"], "--node-id"),
                   (["schema", "get", "s", "--id", "1"], "excludes"),
                   (["schema", "config", "--set", "SIDEWAYS"], "--set"),
                   (["serve", "--log-level", "loud"], "--log-level")]:
    p = run(*args)
    check(p.returncode == 2 and what in p.stderr,
          "%s: exit %d, stderr %r (want 2 naming %s)" % (" ".join(args), p.returncode, p.stderr,
                                                         what))

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok: %d command helps checked" % len(OPTIONS))
