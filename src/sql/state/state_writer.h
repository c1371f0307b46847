#pragma once
// One background thread that runs a task's RocksDB writes, one at a time,
// so the query's thread goes on while a committed interval's changes are
// written (task_state::commit()).
//
// Threading: start() and wait() from one thread (the owner's); a job runs
// on the writer's thread and must only touch what the owner leaves alone
// until wait() returns. Internal to sql/state.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "sql/types/error.h"

namespace spate::sql::detail {

class state_writer {
  public:
    using job = std::function<sql_status()>;

    state_writer();
    // Waits for a running job (its result is logged if it failed) and
    // stops the thread.
    ~state_writer();
    state_writer(const state_writer&) = delete;
    state_writer& operator=(const state_writer&) = delete;

    // Runs `j` on the writer's thread. Precondition: !busy().
    void start(job j);
    // The result of the job start() ran, once it ended; ok when none ran
    // since the last wait(). busy() is false afterwards.
    sql_status wait();
    // A job was started and not waited for (it may have ended already).
    bool busy() const { return _started; }
    // busy() and the job has ended (wait() would not block).
    bool done() const;

  private:
    void loop();

    mutable std::mutex _mu;
    std::condition_variable _cv;
    std::optional<job> _job;            // the next job to run (under _mu)
    std::optional<sql_status> _result;  // the last job's result (under _mu)
    bool _stopping = false;             // under _mu
    bool _started = false;              // owner's thread only
    std::thread _thread;
};

}  // namespace spate::sql::detail
