#include "sql/state/state_writer.h"

#include <pthread.h>

#include "base/assert.h"
#include "base/log.h"

namespace spate::sql::detail {

state_writer::state_writer() : _thread([this] { loop(); }) {}

state_writer::~state_writer() {
    if (_started) {
        if (auto s = wait(); !s.ok())
            logging::get("sql").warn("state write before close: {}", s.error().message);
    }
    {
        std::lock_guard lock(_mu);
        _stopping = true;
    }
    _cv.notify_all();
    _thread.join();
}

void state_writer::start(job j) {
    SPATE_ASSERT_MSG(!_started, "state_writer::start() while a job is not waited for");
    {
        std::lock_guard lock(_mu);
        _job = std::move(j);
        _result.reset();
    }
    _started = true;
    _cv.notify_all();
}

sql_status state_writer::wait() {
    if (!_started) return {};
    std::unique_lock lock(_mu);
    _cv.wait(lock, [this] { return _result.has_value(); });
    _started = false;
    sql_status s = std::move(*_result);
    _result.reset();
    return s;
}

bool state_writer::done() const {
    if (!_started) return false;
    std::lock_guard lock(_mu);
    return _result.has_value();
}

void state_writer::loop() {
    // Not the query thread's name (inherited): its CPU is counted apart.
    pthread_setname_np(pthread_self(), "sql-state");
    std::unique_lock lock(_mu);
    for (;;) {
        _cv.wait(lock, [this] { return _stopping || _job.has_value(); });
        if (!_job) return;  // stopping, nothing left to run
        job j = std::move(*_job);
        _job.reset();
        lock.unlock();
        sql_status s = j();
        lock.lock();
        _result = std::move(s);
        _cv.notify_all();
    }
}

}  // namespace spate::sql::detail
