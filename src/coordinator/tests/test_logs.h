#pragma once

// Test helpers: a temporary data directory removed on destruction, and a log
// manager opened over it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "storage/log_manager.h"

namespace spate::coordinator::test {

struct temp_dir {
    std::filesystem::path path;
    temp_dir() {
        path = std::filesystem::temp_directory_path() /
               ("spate-coordinator-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::random_device{}()));
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

inline std::unique_ptr<storage::log_manager> open_logs(const std::filesystem::path& dir) {
    storage::log_manager_options o;
    o.data_dir = dir;
    auto m = storage::log_manager::open(o);
    EXPECT_TRUE(m.ok());
    return m.ok() ? std::move(*m) : nullptr;
}

}  // namespace spate::coordinator::test
