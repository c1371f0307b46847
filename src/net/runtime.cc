#include "net/runtime.h"

#include <algorithm>
#include <exception>

#include "base/assert.h"
#include "base/log.h"

namespace spate::net {

runtime::~runtime() {
    stop();
}

void runtime::start(int threads) {
    SPATE_ASSERT(_threads.empty());
    _work.emplace(_io.get_executor());
    for (int i = 0; i < std::max(1, threads); ++i) {
        _threads.emplace_back([this] {
            for (;;) {
                try {
                    _io.run();
                    return;
                } catch (const std::exception& e) {
                    logging::get("net").error("I/O thread: handler threw: {}", e.what());
                }
            }
        });
    }
}

void runtime::stop() {
    _work.reset();
    _io.stop();
    for (auto& t : _threads)
        t.join();
    _threads.clear();
}

}  // namespace spate::net
