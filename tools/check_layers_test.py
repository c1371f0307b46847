#!/usr/bin/env python3
"""Tests tools/check_layers.py on tiny fake source trees: it passes on a tree
that respects the layer order and fails, naming the file, on each kind of
violation. Run: python3 tools/check_layers_test.py"""

import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check_layers  # noqa: E402

CLEAN_TREE = {
    "src/base/result.h": "#pragma once\n#include <string>\n",
    "src/storage/log.h": '#pragma once\n#include "base/result.h"\n',
    "src/storage/tests/log_test.cc": '#include "storage/log.h"\n',
    "src/kafka/protocol/wire.h": '#include "base/result.h"\n',
    "src/kafka/client/producer.h": '#include "kafka/protocol/wire.h"\n',
    "src/sql/plan.cc": '#include "kafka/client/producer.h"\n#include "rdkafka.h"\n',
    "src/app/serve.cc": '#include "broker/broker.h"\n#include "storage/log.h"\n',
    "src/broker/broker.h": '#include "storage/log.h"\n',
    "src/storage/CMakeLists.txt": "add_library(spate_storage log.cc)\n"
    "target_link_libraries(spate_storage PUBLIC spate_base)\n"
    "spate_module_tests(storage tests/log_test.cc)\n",
    "src/sql/CMakeLists.txt": "# not spate_storage\n"
    "target_link_libraries(spate_sql PUBLIC spate_kafka_client\n  PRIVATE Threads::Threads)\n",
    "src/app/CMakeLists.txt": "target_link_libraries(spate PRIVATE spate_storage spate_broker)\n",
}


class check_layers_test(unittest.TestCase):
    def run_check(self, extra):
        with tempfile.TemporaryDirectory() as root:
            for rel, text in {**CLEAN_TREE, **extra}.items():
                path = pathlib.Path(root, rel)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            errors, _, _ = check_layers.check(pathlib.Path(root))
            return errors

    def assert_one_error(self, extra, where, *words):
        errors = self.run_check(extra)
        self.assertEqual(len(errors), 1, errors)
        self.assertTrue(errors[0].startswith(where), errors[0])
        for word in words:
            self.assertIn(word, errors[0])

    def test_clean_tree_passes(self):
        self.assertEqual(self.run_check({}), [])

    def test_include_of_a_layer_above_fails(self):
        self.assert_one_error({"src/storage/segment.cc": '\n#include "broker/broker.h"\n'},
                              "src/storage/segment.cc:2:", "layer above", "broker")

    def test_angle_include_and_nested_module_are_seen(self):
        self.assert_one_error({"src/kafka/protocol/frame.h": "#include <kafka/client/producer.h>"},
                              "src/kafka/protocol/frame.h:1:", "kafka/client (layer 9)")

    def test_tests_of_a_module_are_checked_too(self):
        self.assert_one_error({"src/base/tests/t.cc": '#include "storage/log.h"'},
                              "src/base/tests/t.cc:1:", "layer above")

    def test_sql_and_above_may_not_include_log_internals(self):
        for module in ("sql", "http", "cli"):
            for internal in ("storage/log.h", "coordinator/group.h", "broker/broker.h"):
                self.assert_one_error({f"src/{module}/x.cc": f'#include "{internal}"'},
                                      f"src/{module}/x.cc:1:", "only through kafka/client")

    def test_peers_on_one_layer_are_independent(self):
        self.assert_one_error({"src/ml/model.cc": '#include "lineage/graph.h"'},
                              "src/ml/model.cc:1:", "peer")

    def test_file_outside_every_module_fails(self):
        self.assert_one_error({"src/misc/util.h": "#pragma once\n"}, "src/misc/util.h:",
                              "no module")

    def test_link_to_a_layer_above_fails(self):
        self.assert_one_error(
            {"src/storage/CMakeLists.txt": "add_library(spate_storage log.cc)\n"
             "target_link_libraries(spate_storage\n  PUBLIC spate_base spate_coordinator)\n"},
            "src/storage/CMakeLists.txt:2:", "links spate_coordinator", "layer above")

    def test_sql_may_not_link_storage(self):
        self.assert_one_error(
            {"src/sql/CMakeLists.txt": "target_link_libraries(spate_sql PRIVATE spate_storage)\n"},
            "src/sql/CMakeLists.txt:1:", "only through kafka/client")

    def test_link_to_an_unknown_library_fails(self):
        self.assert_one_error(
            {"src/broker/CMakeLists.txt": "target_link_libraries(spate_broker PUBLIC spate_net2)\n"},
            "src/broker/CMakeLists.txt:1:", "spate_net2", "no module")

    def test_command_line_exit_codes(self):
        script = str(HERE / "check_layers.py")
        with tempfile.TemporaryDirectory() as root:
            for rel, text in {**CLEAN_TREE, "src/base/x.h": '#include "app/y.h"'}.items():
                path = pathlib.Path(root, rel)
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            run = subprocess.run([sys.executable, script, "--root", root], capture_output=True,
                                 text=True)
            self.assertEqual(run.returncode, 1)
            self.assertIn("src/base/x.h:1: base (layer 0) includes", run.stdout)
            self.assertIn("1 violation", run.stdout)

    def test_repository_passes(self):
        errors, sources, cmakes = check_layers.check(HERE.parent)
        self.assertEqual(errors, [])
        self.assertGreater(sources, 0)
        self.assertGreater(cmakes, 0)


if __name__ == "__main__":
    unittest.main()
