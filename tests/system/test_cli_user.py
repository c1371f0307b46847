"""`spate user delete` offline (--data-dir) and online (--bootstrap).

Without --mechanism a delete removes the whole user, whatever mechanisms
it has: one (SCRAM-SHA-512 only) or both. With --mechanism only that
credential goes, and it must exist. An unknown user, or a named mechanism
the user lacks, fails with exit 1 and a message naming it, and changes
nothing. Online, a deleted user's SCRAM login is refused at once.
"""

import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "lib"))
from spate_broker import Broker, check, in_temp_dir  # noqa: E402

BIN = os.environ.get("SPATE_BIN", "build/spate")


def user(*args, where, ok=True):
    """Runs `spate user ARGS WHERE`; stdout (ok) or stderr (a failure)."""
    p = subprocess.run([BIN, "user"] + list(args) + where, capture_output=True, text=True,
                       timeout=60)
    if ok:
        check(p.returncode == 0, "spate user %s failed (%d): %s" % (args, p.returncode, p.stderr))
        return p.stdout
    check(p.returncode == 1, "spate user %s exited %d, want 1: %s" % (args, p.returncode,
                                                                     p.stdout))
    return p.stderr


def listed(where):
    """{user: [mechanism, ...]} from `spate user list`."""
    out = {}
    for line in user("list", where=where).splitlines():
        name, *creds = line.split()
        out[name] = [re.sub(r"\(.*", "", c) for c in creds]
    return out


def check_deletes(where):
    """The delete rules, against the users `where` names (a data directory or
    a broker)."""
    user("create", "one", "--password", "pw1", "--mechanism", "SCRAM-SHA-512", where=where)
    user("create", "both", "--password", "pw2", where=where)
    user("create", "keep", "--password", "pw3", where=where)
    want = {"one": ["SCRAM-SHA-512"], "both": ["SCRAM-SHA-256", "SCRAM-SHA-512"],
            "keep": ["SCRAM-SHA-256", "SCRAM-SHA-512"]}
    check(listed(where) == want, "users: %s" % listed(where))

    # A single mechanism, not named: the user goes.
    check("deleted user one" in user("delete", "one", where=where), "delete one")
    del want["one"]
    check(listed(where) == want, "after deleting one: %s" % listed(where))

    # Failures change nothing.
    err = user("delete", "one", where=where, ok=False)
    check("user 'one' does not exist" in err, "deleting a deleted user: %s" % err)
    err = user("delete", "nobody", "--mechanism", "SCRAM-SHA-256", where=where, ok=False)
    check("user 'nobody' does not exist" in err, "deleting an unknown user: %s" % err)
    user("delete", "keep", "--mechanism", "SCRAM-SHA-512", where=where)
    want["keep"] = ["SCRAM-SHA-256"]
    err = user("delete", "keep", "--mechanism", "SCRAM-SHA-512", "--mechanism",
               "SCRAM-SHA-256", where=where, ok=False)
    check("user 'keep' has no SCRAM-SHA-512 credential" in err, "a missing mechanism: %s" % err)
    check(listed(where) == want, "after the failures: %s" % listed(where))

    # Both mechanisms, not named: both go.
    user("delete", "both", where=where)
    del want["both"]
    check(listed(where) == want, "after deleting both: %s" % listed(where))


def scram_login(address, name, password):
    """kcat -L as `name` over SCRAM-SHA-512: True when it logs in."""
    p = subprocess.run(["kcat", "-b", address, "-L", "-m", "3",
                        "-X", "security.protocol=SASL_PLAINTEXT",
                        "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=" + name,
                        "-X", "sasl.password=" + password, "-X", "socket.timeout.ms=3000"],
                       capture_output=True, text=True, timeout=30)
    return p.returncode == 0


def main():
    in_temp_dir("spate-cli-user-", run)


def run(tmp):
    data = os.path.join(tmp, "data")
    check_deletes(["--data-dir", data])

    config = {"listeners": "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
              "sasl.enabled.mechanisms": "SCRAM-SHA-512"}
    with Broker(data_dir=data, config=config) as b:
        online = ["--bootstrap", b.bootstrap]
        check(listed(online) == {"keep": ["SCRAM-SHA-256"]}, "the offline changes online")
        user("delete", "keep", where=online)
        check_deletes(online)
        ports = [m.group(1) for m in
                 (re.search(r"kafka listener SASL_PLAINTEXT \(\w+\) on \S+:(\d+)", x)
                  for x in b.output) if m]
        check(len(ports) == 1, "SASL listener: %s" % ports)
        sasl = "127.0.0.1:" + ports[0]
        user("create", "carol", "--password", "pw4", "--mechanism", "SCRAM-SHA-512", where=online)
        check(scram_login(sasl, "carol", "pw4"), "carol's SCRAM-SHA-512 login")
        user("delete", "carol", where=online)
        check(not scram_login(sasl, "carol", "pw4"), "a deleted user logged in")
    print("test_cli_user: ok")


if __name__ == "__main__":
    main()
