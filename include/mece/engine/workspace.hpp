#pragma once
/// \file engine/workspace.hpp
/// `Workspace`: the large temporary arrays of the passes (the AOV rank keys, their copy
/// in buckets, a feature gathered in full), lent out and given back, so that a caller who
/// runs the pipeline again and again (a service, a benchmark) writes each run into memory
/// an earlier one touched. Memory new to the process costs the kernel a page fault on the
/// first write to each 4 KiB, about 1.5 µs each on a 2-core virtual machine (the ranks'
/// two arrays at 10 million users, 37 MB: some 14 ms of one core), and whether `free`d
/// memory comes back without them is up to the allocator's thresholds.

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>
#include <mutex>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace mece::engine {

/// Arrays lent to the passes, each kept when given back for the next one that asks for as
/// much or less. A scope carries one (`ScopeOptions::workspace`, `RunOptions::workspace`);
/// a pass borrows through `Workspace::borrow(scope.workspace(), n)`, which without one
/// makes an array of the lease's own. Holds at most what one run needs at once (a few
/// arrays of the universe's size) until it is destroyed. Thread-safe; must outlive its
/// leases.
class Workspace {
public:
    /// An array of `size()` values of `T`, uninitialised, held until the lease goes.
    template <class T>
    class Lease {
        static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                      "a lease holds uninitialised memory: only for trivial types");

    public:
        Lease() = default;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Lease(Lease&& other) noexcept { *this = std::move(other); }
        Lease& operator=(Lease&& other) noexcept {
            if (this != &other) {
                release();
                from_ = std::exchange(other.from_, nullptr);
                slot_ = other.slot_;
                data_ = std::exchange(other.data_, nullptr);
                size_ = std::exchange(other.size_, 0);
            }
            return *this;
        }
        ~Lease() { release(); }

        T* data() const noexcept { return data_; }
        std::size_t size() const noexcept { return size_; }
        T& operator[](std::size_t i) const noexcept { return data_[i]; }
        T* begin() const noexcept { return data_; }
        T* end() const noexcept { return data_ + size_; }

    private:
        friend class Workspace;
        void release() noexcept {
            if (!data_) return;
            if (from_)
                from_->give_back(slot_);
            else
                Workspace::deallocate(data_);
            data_ = nullptr;
            size_ = 0;
        }

        Workspace* from_ = nullptr;  // none: the memory is the lease's own
        std::size_t slot_ = 0;
        T* data_ = nullptr;
        std::size_t size_ = 0;
    };

    Workspace() = default;
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;
    ~Workspace() {
        for (const Slot& slot : slots_) deallocate(slot.memory);
    }

    /// `count` values of `T` from `workspace`, or of the lease's own when it is null.
    template <class T>
    static Lease<T> borrow(Workspace* workspace, std::size_t count) {
        const std::size_t bytes = bytes_of<T>(count);
        Lease<T> lease;
        lease.size_ = count;
        if (workspace) {
            const auto [slot, memory] = workspace->lend(bytes);
            lease.from_ = workspace;
            lease.slot_ = slot;
            lease.data_ = static_cast<T*>(memory);
        } else {
            lease.data_ = static_cast<T*>(allocate(bytes));
        }
        return lease;
    }

    /// Bytes the workspace holds, lent or not.
    std::size_t bytes_held() const {
        const std::lock_guard lock(mutex_);
        std::size_t total = 0;
        for (const Slot& slot : slots_) total += slot.bytes;
        return total;
    }

private:
    struct Slot {
        void* memory = nullptr;
        std::size_t bytes = 0;
        bool lent = false;
    };

    template <class T>
    static std::size_t bytes_of(std::size_t count) {
        if (count > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_alloc();
        return std::max<std::size_t>(count * sizeof(T), 1);
    }
    // The allocator's own alignment (16 bytes): an over-aligned request takes another
    // path in glibc, whose large blocks are not reused once freed (a page fault per 4 KiB
    // again on the next run's first write, measured: twice the faults of a split).
    static void* allocate(std::size_t bytes) { return ::operator new(bytes); }
    static void deallocate(void* memory) noexcept { ::operator delete(memory); }

    /// The smallest free slot that holds `bytes`; else the largest free one, grown (its
    /// memory freed first, so the run never holds both); else a new slot.
    std::pair<std::size_t, void*> lend(std::size_t bytes) {
        const std::lock_guard lock(mutex_);
        std::size_t best = slots_.size(), largest = slots_.size();
        for (std::size_t s = 0; s < slots_.size(); ++s) {
            if (slots_[s].lent) continue;
            if (slots_[s].bytes >= bytes && (best == slots_.size() || slots_[s].bytes < slots_[best].bytes)) best = s;
            if (largest == slots_.size() || slots_[s].bytes > slots_[largest].bytes) largest = s;
        }
        if (best == slots_.size()) {
            if (largest == slots_.size()) {
                slots_.push_back({});
                largest = slots_.size() - 1;
            }
            Slot& grown = slots_[largest];
            deallocate(std::exchange(grown.memory, nullptr));
            grown.bytes = 0;
            grown.memory = allocate(bytes);
            grown.bytes = bytes;
            best = largest;
        }
        slots_[best].lent = true;
        return {best, slots_[best].memory};
    }
    void give_back(std::size_t slot) noexcept {
        const std::lock_guard lock(mutex_);
        slots_[slot].lent = false;
    }

    mutable std::mutex mutex_;
    std::vector<Slot> slots_;
};

}  // namespace mece::engine
