#pragma once
/// \file detail/parallel.hpp
/// The library's one way to run work on several threads.

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include <Eigen/Core>

#if defined(__linux__)
#include <sched.h>
#endif

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

/// The cores this process may run on (its CPU affinity, which a container or `taskset`
/// narrows), at least 1.
inline unsigned available_cores() noexcept {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return unsigned(CPU_COUNT(&set));
#endif
    return std::max(1u, std::thread::hardware_concurrency());
}

/// The threads to use when `threads` are asked for (0: every core): never more than the
/// cores available (more only share them, each with its own buffers) nor than the pieces
/// of work, `pieces`.
inline unsigned thread_count(unsigned threads, Eigen::Index pieces = std::numeric_limits<Eigen::Index>::max()) noexcept {
    const unsigned cores = available_cores();
    const unsigned wanted = threads ? std::min(threads, cores) : cores;
    return unsigned(std::max<Eigen::Index>(1, std::min<Eigen::Index>(wanted, pieces)));
}

}  // namespace mece::detail
