#pragma once
/// \file mpi/shards.hpp
/// `mece::Shards` over MPI: each rank a shard, the engine's collectives MPI's.

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include <mece/mpi/communicator.hpp>
#include <mece/mpi/quantile.hpp>
#include <mece/shards.hpp>

namespace mece::mpi {

/// The ranks of a communicator as the shards of a run. Refers to `comm`, which must
/// outlive it; its traffic is counted there.
class Ranks final : public mece::Shards {
public:
    explicit Ranks(const Communicator& comm) : comm_(&comm) {}

    int index() const noexcept override { return comm_->rank(); }
    int count() const noexcept override { return comm_->size(); }
    const Communicator& communicator() const noexcept { return *comm_; }

    void sum(std::span<std::int64_t> values) const override {
        reduce(values, [&](auto& v) { comm_->sum(v); });
    }
    void sum(std::span<std::uint64_t> values) const override {
        reduce(values, [&](auto& v) { comm_->sum(v); });
    }
    void max(std::span<double> values) const override {
        reduce(values, [&](auto& v) { comm_->max(v); });
    }

    std::vector<double> gather(std::span<const double> values) const override {
        return comm_->all_gather(std::vector<double>(values.begin(), values.end()));
    }
    std::vector<std::uint64_t> gather(std::span<const std::uint64_t> values) const override {
        return comm_->all_gather(std::vector<std::uint64_t>(values.begin(), values.end()));
    }
    std::vector<std::uint64_t> exchange(const std::vector<std::vector<std::uint64_t>>& to) const override {
        return comm_->all_to_all(to);
    }
    std::vector<mece::detail::Bracketed> quantiles(const float* values, Eigen::Index size,
                                                   const std::vector<double>& probabilities) const override {
        return bracketed_quantiles(*comm_, values, size, probabilities);
    }
    std::vector<mece::detail::Bracketed> quantiles(const double* values, Eigen::Index size,
                                                   const std::vector<double>& probabilities) const override {
        return bracketed_quantiles(*comm_, values, size, probabilities);
    }

private:
    template <class T, class Reduce>
    void reduce(std::span<T> values, Reduce reduce) const {
        std::vector<T> copy(values.begin(), values.end());
        reduce(copy);
        std::copy(copy.begin(), copy.end(), values.begin());
    }

    const Communicator* comm_;
};

}  // namespace mece::mpi
