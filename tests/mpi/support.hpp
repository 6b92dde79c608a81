#pragma once
// What the MPI tests share: the world's communicator, and rows of a dataset.

#include <utility>

#include <mece/dataset.hpp>
#include <mece/mpi.hpp>

namespace mece_test {

inline const mece::mpi::Communicator& world() {
    static const mece::mpi::Communicator comm;
    return comm;
}

/// Rows `[begin, end)` of `data`, copied (the numeric columns; text columns are not rows).
inline mece::Dataset<double> rows_of(const mece::Dataset<double>& data, Eigen::Index begin, Eigen::Index end) {
    mece::Dataset<double>::Columns c;
    const Eigen::Index n = end - begin;
    c.user_id = data.user_id().segment(begin, n);
    c.cart_abandoned_date = data.cart_abandoned_date().segment(begin, n);
    c.last_order_date = data.last_order_date().segment(begin, n);
    c.avg_order_value = data.avg_order_value().segment(begin, n);
    c.sessions_last_30d = data.sessions_last_30d().segment(begin, n);
    c.num_cart_items = data.num_cart_items().segment(begin, n);
    c.engagement_score = data.engagement_score().segment(begin, n);
    c.profitability_score = data.profitability_score().segment(begin, n);
    for (const auto& name : data.extra_names()) c.extra.emplace_back(name, data.extra(name)->segment(begin, n));
    return mece::Dataset<double>(std::move(c));
}

}  // namespace mece_test
