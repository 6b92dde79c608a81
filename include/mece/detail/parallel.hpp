#pragma once
/// \file detail/parallel.hpp
/// The library's one way to run work on several threads.

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <Eigen/Core>

namespace mece::detail {

/// Calls `work(task)` for every task in `[0, tasks)`, on up to `threads` threads (the
/// calling one among them), each taking the next task when it is done with one. The first
/// exception a call throws is rethrown here, after every thread has stopped.
template <class Work>
void for_each_task(Eigen::Index tasks, unsigned threads, Work&& work) {
    const auto workers = unsigned(std::min<Eigen::Index>(std::max(1u, threads), tasks));
    if (workers <= 1) {
        for (Eigen::Index c = 0; c < tasks; ++c) work(c);
        return;
    }
    std::atomic<Eigen::Index> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    const auto run = [&] {
        try {
            for (Eigen::Index c = next++; c < tasks; c = next++) work(c);
        } catch (...) {
            const std::lock_guard lock(failure_mutex);
            if (!failure) failure = std::current_exception();
            next = tasks;  // the others stop at their next task
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < workers; ++t) pool.emplace_back(run);
    run();
    for (auto& thread : pool) thread.join();
    if (failure) std::rethrow_exception(failure);
}

/// The threads to use for `threads` (0: every core).
inline unsigned thread_count(unsigned threads) noexcept {
    return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace mece::detail
